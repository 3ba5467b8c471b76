import { AgiQuery, DialplanVariable } from '@switchboard/contract';
import type { AgiScriptHandler } from '../agi/index.js';
import { agiInput, queryValue } from './agi-inputs.js';
import type { HandlerDeps } from './deps.js';

/**
 * `message`: a phone sent a text (SIP MESSAGE → its endpoint's message_context, rendered as
 * [sb-text-<endpoint>] → [sb-text]). The sender is the endpoint named in the query, which the
 * rendered context itself puts there (Asterisk chose the context by the endpoint it identified);
 * the MESSAGE's From is never read. The body comes BASE64_ENCODE()d in SB_TEXT_B64, read with GET
 * FULL VARIABLE (no length cut), decoded here and checked to be UTF-8. The text is stored (and its
 * deliveries queued) before the session ends; SB_ACTION=text tells [sb-text] it was taken (empty:
 * the next AGI server is tried). See docs/messaging.md.
 */
export const TEXT_TAKEN = 'text';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createMessageHandler(deps: HandlerDeps): AgiScriptHandler {
  return async (session) => {
    const { query } = session.env;
    const log = deps.logger;
    const endpoint = queryValue(query, AgiQuery.endpoint, agiInput.endpoint);
    const to = queryValue(query, AgiQuery.to, agiInput.dialled);
    const encoded = await session.getFullVariable(`\${${DialplanVariable.textBody}}`);
    const base64 = encoded === undefined ? undefined : agiInput.textBody.parse(encoded);
    let body: string | undefined;
    try {
      body = base64 === undefined ? undefined : utf8.decode(Buffer.from(base64, 'base64'));
    } catch {
      body = undefined;
    }
    if (!deps.takeText || !endpoint || body === undefined) {
      log.warn(
        { event: 'text-refused', endpoint, to, why: !deps.takeText ? 'texts are not wired' : 'bad input' },
        'text from a phone not taken',
      );
      // Taken (and dropped): another server would refuse it the same way.
      await session.setVariables({ [DialplanVariable.action]: TEXT_TAKEN });
      return;
    }
    const result = await deps.takeText({ endpoint, to: to ?? '', body }, deps.clock());
    await session.setVariables({ [DialplanVariable.action]: TEXT_TAKEN });
    log.info(
      {
        event: 'text-from-phone',
        endpoint,
        to,
        outcome: result.outcome,
        id: result.id,
        bodyBytes: Buffer.byteLength(body, 'utf8'),
        ...(result.outcome === 'refused' ? { because: result.because } : {}),
      },
      'text from a phone',
    );
  };
}
