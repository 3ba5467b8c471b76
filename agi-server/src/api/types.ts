import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { RoutingService } from '../config-service/routing-service.js';
import type { VoicemailSpool } from '../media/voicemail-spool.js';
import type { PhoneTextResult, TextFromPhone } from '../messaging/phone-texts.js';
import type { Metrics } from '../metrics.js';
import type { VoicemailPbx } from '../pbx/voicemail-actions.js';
import type { SwitchboardStore } from '../store/types.js';
import type { HealthReport } from './health.js';
import type { MetricsAccess } from './metrics-access.js';

/**
 * Types the admin API's route modules share with server.ts, in their own module so that the
 * route modules never import server.ts (which imports them).
 */

export interface AdminApiDeps {
  readonly routing: RoutingService;
  readonly store: SwitchboardStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly health: () => HealthReport;
  /** Who may scrape /metrics (see metrics-access.ts). */
  readonly metricsAccess: MetricsAccess;
  readonly limits: ApiLimits;
  /** SB_HEADER_SECRET: checks texts the /inbound-message Function forwards (routes-messages.ts). */
  readonly headerSecret?: string | undefined;
  /** Told when a text was stored, so its deliveries start at once. */
  readonly onMessageStored?: () => void;
  /** Sends a text as an extension (POST /messages), through the same decision and limits as a phone's. */
  readonly takeText?: (text: TextFromPhone, now: Date) => Promise<PhoneTextResult>;
  /**
   * Twilio's status callbacks for texts we sent: the account's Auth Token and the public URL
   * (SB_PUBLIC_URL + /message-status) the signature covers. Unset: /message-status answers 503.
   */
  readonly textStatus?: { readonly authToken: string; readonly url: string } | undefined;
  /** Where uploaded menu prompts go (SB_SOUNDS_DIR); undefined: uploads are off. */
  readonly soundsDir?: string | undefined;
  /** Asterisk's monitor folder, where MixMonitor writes <linkedid>.wav (SB_RECORDINGS_DIR). */
  readonly recordingsDir?: string | undefined;
  /** Visual voicemail (SB_VOICEMAIL_DIR): the spool, and Asterisk's AMI for heard/delete (SB_AMI_SECRET). */
  readonly voicemail?: { readonly spool: VoicemailSpool; readonly pbx: VoicemailPbx | undefined } | undefined;
  /** Edge voicemails forwarded by the /voicemail-done Function (routes-voicemail.ts, docs/voicemail.md). */
  readonly edgeVoicemail?: {
    readonly context: string;
    readonly mailFrom: string | undefined;
    readonly textNotices: boolean;
  };
}

/** The API's bounds on slow clients and token guessing (SB_API_* settings, config.ts). */
export interface ApiLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly authMaxFailures: number;
  readonly authWindowMs: number;
}

export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
