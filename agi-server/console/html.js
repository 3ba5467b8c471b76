import htm from 'htm';
import { h } from 'preact';

/** JSX-like tagged templates with no build step (htm bound to preact's h). */
export const html = htm.bind(h);
