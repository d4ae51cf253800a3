/** An error that HTTP answers as `{ "error": { "code", "message" } }` with its status. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * A service the process needs (database, Redis) is missing at start.
 * Its message is one line meant for a person; the process prints it and exits 1, no stack trace.
 */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly service: 'database' | 'redis',
    message: string,
  ) {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

/** Any other reason the process cannot start that a person can fix (a port in use, say); printed as one line. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
