import { html } from '../html.js';

/**
 * A form for one item of the routing document (a route, schedule, extension or policy), built
 * from the item itself: text and number inputs, lists of values as comma-separated text, lists
 * of objects as repeated fieldsets. Every input carries `data-path` (its path in the item, e.g.
 * `plans.open.0.timeoutSeconds`), and the API's validation issues are shown beside the input
 * whose path they name, so the operator sees the problem where it is.
 *
 * `hints` (per item kind) names what the item alone cannot tell: `choices` (a select's options
 * by path pattern), `optional` (absent fields that can be added, with their starting value),
 * `templates` (a new list item, or a step of another type) and `numbers` (numeric fields).
 */

const pattern = (path) => path.replace(/\.\d+(?=\.|$)/g, '.*');

function setAt(value, path, next) {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  if (next === undefined && rest.length === 0) {
    if (Array.isArray(copy)) copy.splice(Number(head), 1);
    else delete copy[head];
    return copy;
  }
  copy[head] = setAt(value?.[head], rest, next);
  return copy;
}

function Issues({ issues, path, exact }) {
  const mine = issues.filter((issue) =>
    exact ? issue.path === path : issue.path === path || issue.path.startsWith(`${path}.`),
  );
  return mine.map(
    (issue) => html`<p class="field-error" role="alert" data-error-for=${path}>${issue.message}</p>`,
  );
}

function label(key) {
  return String(key)
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase();
}

function Field({ path, value, hints, issues, onSet }) {
  const key = path.split('.').at(-1);
  const where = pattern(path);
  const choices = hints.choices?.[where];
  const invalid = issues.some((issue) => issue.path === path || issue.path.startsWith(`${path}.`));
  const common = {
    'data-path': path,
    id: `field-${path}`,
    class: invalid ? 'invalid' : '',
    'aria-invalid': invalid ? 'true' : 'false',
  };
  let input;
  if (choices) {
    const change = (event) => {
      const chosen = event.currentTarget.value;
      const swap = hints.swap?.[where];
      onSet(path, chosen, swap ? swap(chosen) : undefined);
    };
    input = html`<select ...${common} value=${value ?? ''} onChange=${change}>
      ${choices.map((choice) => html`<option value=${choice}>${choice || '(none)'}</option>`)}
    </select>`;
  } else if (Array.isArray(value)) {
    input = html`<input
      ...${common}
      value=${value.join(', ')}
      placeholder="comma-separated"
      onChange=${(event) =>
        onSet(
          path,
          event.currentTarget.value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean),
        )}
    />`;
  } else if (typeof value === 'number' || hints.numbers?.includes(where)) {
    input = html`<input
      ...${common}
      type="number"
      value=${value ?? ''}
      onChange=${(event) => {
        const text = event.currentTarget.value;
        onSet(path, text === '' ? undefined : Number(text));
      }}
    />`;
  } else if (typeof value === 'boolean') {
    input = html`<input
      ...${common}
      type="checkbox"
      checked=${value}
      onChange=${(event) => onSet(path, event.currentTarget.checked)}
    />`;
  } else {
    input = html`<input ...${common} value=${value ?? ''} onChange=${(event) => onSet(path, event.currentTarget.value)} />`;
  }
  return html`<div class="field">
    <label for=${`field-${path}`}>${label(key)}</label>
    ${input}
    ${
      hints.optional?.[where] !== undefined
        ? html`<button type="button" class="link" title="remove this field" onClick=${() => onSet(path, undefined)}>
          remove
        </button>`
        : null
    }
    <${Issues} issues=${issues} path=${path} />
  </div>`;
}

function Node({ path, value, hints, issues, onSet }) {
  const isObjectList = Array.isArray(value) && value.some((item) => item && typeof item === 'object');
  if (isObjectList || (Array.isArray(value) && hints.templates?.[`${pattern(path)}.*`])) {
    const template = hints.templates?.[`${pattern(path)}.*`];
    return html`<fieldset class="list" data-path=${path}>
      <legend>
        ${label(path.split('.').at(-1))}
        ${
          hints.optional?.[pattern(path)] !== undefined
            ? html`<button type="button" class="link" onClick=${() => onSet(path, undefined)}>remove</button>`
            : null
        }
      </legend>
      <${Issues} issues=${issues} path=${path} exact=${true} />
      ${value.map(
        (item, index) => html`<div class="list-item">
          <div class="list-item-head">
            <span>${index + 1}.</span>
            <button type="button" class="link" onClick=${() => onSet(`${path}.${index}`, undefined)}>remove</button>
          </div>
          <${Node} path=${`${path}.${index}`} value=${item} hints=${hints} issues=${issues} onSet=${onSet} />
        </div>`,
      )}
      ${
        template
          ? html`<button type="button" onClick=${() => onSet(`${path}.${value.length}`, structuredClone(template))}>
            add
          </button>`
          : null
      }
    </fieldset>`;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const addable = Object.entries(hints.optional ?? {}).filter(([where, _]) => {
      const parent = where.split('.').slice(0, -1).join('.');
      const key = where.split('.').at(-1);
      return parent === pattern(path) && !keys.includes(key);
    });
    const prefix = path ? `${path}.` : '';
    const ownKey = path.split('.').at(-1);
    const titled = path && !/^\d+$/.test(ownKey);
    return html`<div class=${titled ? 'object titled' : 'object'} data-path=${path}>
      ${titled ? html`<div class="object-title">${label(ownKey)}</div>` : null}
      ${path ? html`<${Issues} issues=${issues} path=${path} exact=${true} />` : null}
      ${keys.map((key) => html`<${Node} path=${`${prefix}${key}`} value=${value[key]} hints=${hints} issues=${issues} onSet=${onSet} />`)}
      ${
        addable.length
          ? html`<div class="add-fields">
            ${addable.map(([where, initial]) => {
              const key = where.split('.').at(-1);
              return html`<button type="button" class="add-field" onClick=${() => onSet(`${prefix}${key}`, structuredClone(initial))}>
                + ${label(key)}
              </button>`;
            })}
          </div>`
          : null
      }
    </div>`;
  }
  return html`<${Field} path=${path} value=${value} hints=${hints} issues=${issues} onSet=${onSet} />`;
}

/** The whole form: `value` is the item, `onChange` gets the edited copy. */
export function Editor({ value, hints, issues, onChange }) {
  const onSet = (path, next, replaceParent) => {
    const parts = path.split('.');
    if (replaceParent) onChange(setAt(value, parts.slice(0, -1), replaceParent));
    else onChange(setAt(value, parts, next));
  };
  return html`<form class="editor" onSubmit=${(event) => event.preventDefault()}>
    <${Node} path="" value=${value} hints=${hints} issues=${issues} onSet=${onSet} />
  </form>`;
}

/** Strips the first of `prefixes` an issue's path starts with: API paths to item paths. */
export function issuesFor(issues, prefixes) {
  return issues.map((issue) => {
    const prefix = prefixes.find(
      (candidate) => issue.path === candidate || issue.path.startsWith(`${candidate}.`),
    );
    return prefix ? { ...issue, path: issue.path.slice(prefix.length + 1) } : issue;
  });
}
