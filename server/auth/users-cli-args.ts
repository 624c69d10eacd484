// Argument parsing and password input of `npm run users` (kept apart from the actions, which need Redis).
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export const COMMANDS = ['add', 'disable', 'enable', 'set-password', 'set-scopes', 'set-roles', 'unlock', 'list'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  command: Command;
  username: string | null;
  roles: string[] | null;
  scopes: string[] | null;
  name: string | null;
  passwordStdin: boolean;
}

export const USAGE = `usage: npm run users -- <command> [options]   (REDIS_URL must point at the durable Redis)

  add <username> --roles r1,r2 --scopes id1,id2 [--name "显示名"] [--password-stdin]
  disable <username>            ends the user's sessions and disconnects their sockets
  enable <username>
  set-password <username> [--password-stdin]
  set-scopes <username> id1,id2 (or --scopes id1,id2)
  set-roles <username> r1,r2    (or --roles r1,r2)
  unlock <username>             lifts the lock after too many failed logins
  list

roles: duty_officer, coordinator, leader, admin, auditor; scopes: jurisdiction ids.
Without --password-stdin the password is asked for on the terminal.`;

export class UsageError extends Error {}

const csv = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** Parses argv (after the script name); throws UsageError naming the problem. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const positional: string[] = [];
  const out: Omit<CliArgs, 'command' | 'username'> = { roles: null, scopes: null, name: null, passwordStdin: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--roles') out.roles = csv(value());
    else if (a === '--scopes') out.scopes = csv(value());
    else if (a === '--name') out.name = value();
    else if (a === '--password-stdin') out.passwordStdin = true;
    else if (a === '--help' || a === '-h') throw new UsageError('');
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  const [command, username, list, ...rest] = positional;
  if (!command || !(COMMANDS as readonly string[]).includes(command)) throw new UsageError(command ? `unknown command ${command}` : '');
  const cmd = command as Command;
  if (cmd === 'list') return { command: cmd, username: null, ...out };
  if (!username) throw new UsageError(`${cmd} needs a username`);
  if (list !== undefined) {
    if (cmd === 'set-scopes' && !out.scopes) out.scopes = csv(list);
    else if (cmd === 'set-roles' && !out.roles) out.roles = csv(list);
    else throw new UsageError(`unexpected argument ${list}`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (cmd === 'add' && (!out.roles || !out.scopes)) throw new UsageError('add needs --roles and --scopes');
  if (cmd === 'set-scopes' && !out.scopes?.length) throw new UsageError('set-scopes needs the scopes');
  if (cmd === 'set-roles' && !out.roles?.length) throw new UsageError('set-roles needs the roles');
  return { command: cmd, username, ...out };
}

/** Everything on stdin, without the trailing newline (`printf '%s' "$PW" | …` or `… < file`). */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for a password on the terminal without echoing it, twice. */
export async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError('no terminal to ask for the password on: use --password-stdin');
  const ask = async (question: string) => {
    let muted = false;
    const output = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (!muted) process.stdout.write(chunk);
        cb();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    const answer = new Promise<string>((resolve) => rl.question(question, resolve));
    muted = true;
    const a = await answer;
    rl.close();
    process.stdout.write('\n');
    return a;
  };
  const first = await ask('password: ');
  const second = await ask('again: ');
  if (first !== second) throw new UsageError('the passwords differ');
  return first;
}
