/** A small leveled logger writing one line per message; no dependency. */
export interface Logger {
  debug(msg: string, extra?: unknown): void;
  info(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  error(msg: string, extra?: unknown): void;
}

const ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof ORDER;

function fmt(extra: unknown): string {
  if (extra === undefined) return '';
  if (extra instanceof Error) return ` ${extra.stack ?? extra.message}`;
  try {
    return ` ${JSON.stringify(extra)}`;
  } catch {
    return ` ${String(extra)}`;
  }
}

export function createLogger(level: LogLevel = 'info', name = ''): Logger {
  const min = ORDER[level];
  const line = (lv: Exclude<LogLevel, 'silent'>) => (msg: string, extra?: unknown) => {
    if (ORDER[lv] < min) return;
    const out = `${new Date().toISOString()} ${lv.toUpperCase().padEnd(5)}${name ? ` [${name}]` : ''} ${msg}${fmt(extra)}\n`;
    (lv === 'error' || lv === 'warn' ? process.stderr : process.stdout).write(out);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
