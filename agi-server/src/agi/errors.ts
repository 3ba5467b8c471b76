// Typed errors of the FastAGI protocol layer. Handlers catch these by class, never by message.

export class AgiError extends Error {
  override name = 'AgiError';
}

/** Asterisk answered a command with something other than 200. */
export class AgiCommandError extends AgiError {
  override name = 'AgiCommandError';
  constructor(
    readonly command: string,
    readonly code: number,
    readonly reply: string,
    message?: string,
  ) {
    super(message ?? `AGI command "${command}" failed: ${reply}`);
  }
}

/** 510: Asterisk does not know the command. */
export class AgiInvalidCommandError extends AgiCommandError {
  override name = 'AgiInvalidCommandError';
}

/** 511: the command is not allowed on a dead channel (hangup handler, after HANGUP). */
export class AgiDeadChannelError extends AgiCommandError {
  override name = 'AgiDeadChannelError';
}

/** 520: wrong syntax; `usage` holds the usage text Asterisk sent between the 520- and 520 lines. */
export class AgiUsageError extends AgiCommandError {
  override name = 'AgiUsageError';
  constructor(
    command: string,
    reply: string,
    readonly usage: string,
  ) {
    super(command, 520, reply, `AGI command "${command}" has invalid syntax`);
  }
}

/** EXEC answered result=-2: the dialplan application is not loaded. */
export class AgiApplicationNotFoundError extends AgiCommandError {
  override name = 'AgiApplicationNotFoundError';
}

/** No reply in time (per command) or the session ran past its deadline. */
export class AgiTimeoutError extends AgiError {
  override name = 'AgiTimeoutError';
}

/** The whole session ran past its deadline: this server's handler was too slow. */
export class AgiDeadlineError extends AgiTimeoutError {
  override name = 'AgiDeadlineError';
}

/** The connection closed (or was closed) while a command waited for its reply. */
export class AgiConnectionClosedError extends AgiError {
  override name = 'AgiConnectionClosedError';
}

/** Asterisk sent something that is not AGI: the session cannot continue safely. */
export class AgiProtocolError extends AgiError {
  override name = 'AgiProtocolError';
}

/**
 * The request (the script's query, the env block) lacks what the script needs: the peer's doing,
 * like a refused command; a handler throws it instead of guessing (docs/fastagi.md).
 */
export class AgiRequestError extends AgiError {
  override name = 'AgiRequestError';
}

/** A value we were asked to send cannot be represented on the AGI wire (newline, NUL). */
export class AgiArgumentError extends AgiError {
  override name = 'AgiArgumentError';
}
