import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadAsteriskSettings } from '../../agi-server/src/asterisk/load-settings.js';
import { renderAsteriskConfig } from '../../agi-server/src/asterisk/render.js';
import { completeSecrets } from '../../agi-server/src/asterisk/secrets.js';

/**
 * The lab: real Asterisk 22 and SIPp inside the cached Debian sid chroot (test/lab/provision.sh),
 * sharing the host's loopback network. Everything runs by PID and is stopped by PID.
 */

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('.', import.meta.url));
/** Inside the chroot: the per-run Asterisk tree and scenario files (fresh every lab run). */
export const RUN_DIR = '/lab-run';
export const CORE_CONFIG = [
  'indications.conf',
  'features.conf',
  'cel.conf',
  'ccss.conf',
  'acl.conf',
  'udptl.conf',
  'pjproject.conf',
];

export async function provisionLab(): Promise<string> {
  const { stdout } = await run('bash', [join(HERE, 'provision.sh')], { maxBuffer: 1 << 20 });
  const chroot = stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(join(chroot, 'usr/sbin/asterisk'))) throw new Error(`lab chroot not ready: ${chroot}`);
  return chroot;
}

/**
 * Under Debian's `faketime` (libfaketime in LD_PRELOAD, the offset in FAKETIME), every process of
 * the lab must read the same clock: the CDR reconciler compares Asterisk's CDR times with the
 * server's clock (its 24-hour window), and the call log mixes rows from both. The chroot has no
 * libfaketime, so its loader would ignore LD_PRELOAD and Asterisk and SIPp would run on the real
 * clock (under a Sunday faked three days ahead: every CDR record out of the window, 4 of
 * faults.test.ts's 5 tests failed). The host's library is copied to the same path inside the
 * chroot, and the environment the lab's processes inherit does the rest. Without faketime:
 * nothing to do.
 */
export function shareFakeClock(chroot: string): void {
  if (!process.env.FAKETIME) return;
  for (const entry of (process.env.LD_PRELOAD ?? '').split(/[: ]+/)) {
    if (!entry.includes('faketime')) continue;
    // `$LIB` is the loader's name for the platform's library folder.
    const found = ['lib/x86_64-linux-gnu', 'lib/aarch64-linux-gnu', 'lib64', 'lib']
      .map((lib) => entry.replace('$LIB', lib))
      .find((path) => existsSync(path));
    if (!found) throw new Error(`faketime: ${entry} not found on the host`);
    mkdirSync(join(chroot, dirname(found)), { recursive: true });
    copyFileSync(found, join(chroot, found));
  }
}

/** Renders the project's asterisk-config with the lab settings and installs it for this run. */
export function installLabConfig(chroot: string): void {
  const root = join(chroot, RUN_DIR.slice(1));
  rmSync(root, { recursive: true, force: true });
  for (const dir of ['etc', 'db', 'spool', 'run', 'log/cdr-custom', 'scenarios', 'sipp'])
    mkdirSync(join(root, dir), { recursive: true });
  // Core files every Asterisk install already has (tones, features, cdr…): the package's own.
  for (const name of CORE_CONFIG) copyFileSync(join(chroot, 'etc/asterisk', name), join(root, 'etc', name));
  const settings = loadAsteriskSettings(join(HERE, 'settings.lab.yaml'));
  const { secrets } = completeSecrets(settings, { extensions: {} });
  // Trunk credentials come from the environment, as in production (fixed values: nothing checks them here).
  const env = {
    LAB_TRUNK_USERNAME: 'lab-trunk-user',
    LAB_TRUNK_PASSWORD: 'lab-trunk-password-nothing-checks',
  };
  for (const [name, text] of renderAsteriskConfig(settings, secrets, env))
    writeFileSync(join(root, 'etc', name), text);
  // The phones' generated passwords, for SIPp phones that dial (digest auth).
  writeFileSync(join(root, 'secrets.json'), JSON.stringify(secrets));
  for (const name of readdirSync(join(HERE, 'asterisk')))
    copyFileSync(join(HERE, 'asterisk', name), join(root, 'etc', name));
  for (const name of readdirSync(join(HERE, 'scenarios')))
    copyFileSync(join(HERE, 'scenarios', name), join(root, 'scenarios', name));
}

export function labPhonePassword(chroot: string, extension: string): string {
  const secrets = JSON.parse(readFileSync(join(chroot, RUN_DIR.slice(1), 'secrets.json'), 'utf8')) as {
    extensions: Record<string, { password: string }>;
  };
  const password = secrets.extensions[extension]?.password;
  if (!password) throw new Error(`no lab password for ${extension}`);
  return password;
}

/** One Asterisk in the chroot; `runDir` holds its tree (etc/asterisk.conf, log, run…). */
export class LabAsterisk {
  private process: ChildProcess | undefined;
  private readonly asteriskConf: string;

  constructor(
    readonly chroot: string,
    readonly runDir = RUN_DIR,
  ) {
    this.asteriskConf = `${runDir}/etc/asterisk.conf`;
  }

  async start(): Promise<void> {
    // Runs in the foreground of its own process (-f) so that we hold its PID; -n: no colour.
    this.process = spawn('chroot', [this.chroot, '/usr/sbin/asterisk', '-f', '-n', '-C', this.asteriskConf], {
      stdio: 'ignore',
      detached: true,
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        await this.cli('core waitfullybooted');
        return;
      } catch {
        if (this.process.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`Asterisk did not boot; see ${this.logPath()}`);
  }

  /** `asterisk -rx`: runs a CLI command on the running instance and returns its output. */
  async cli(command: string): Promise<string> {
    const { stdout } = await run(
      'chroot',
      [this.chroot, '/usr/sbin/asterisk', '-C', this.asteriskConf, '-rx', command],
      {
        timeout: 10_000,
      },
    );
    return stdout;
  }

  logPath(): string {
    return join(this.chroot, this.runDir.slice(1), 'log', 'messages.log');
  }

  log(): string {
    return existsSync(this.logPath()) ? readFileSync(this.logPath(), 'utf8') : '';
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await this.cli('core stop now');
    } catch {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface SippResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Lines of the scenario's <log> actions. */
  readonly logs: string[];
  /** Response times (ms) of rtd 1, one per successful call, when `traceRtt` was asked. */
  readonly responseTimesMs: number[];
}

export interface SippOptions {
  readonly scenario: string;
  /** Local loopback address (SIP and media). */
  readonly address: string;
  readonly port?: number;
  /** Remote host:port for a UAC; omitted for a UAS. */
  readonly remote?: string;
  readonly service?: string;
  readonly keys?: Readonly<Record<string, string>>;
  readonly calls?: number;
  readonly rate?: number;
  readonly durationMs?: number;
  readonly timeoutSeconds?: number;
  readonly traceRtt?: boolean;
  readonly mediaPort?: number;
  /** Digest credentials for [authentication] (-au/-ap). */
  readonly auth?: { readonly user: string; readonly password: string };
  /** The scenario for requests outside any call (-oocsf), e.g. texts to a registered phone. */
  readonly outOfCallScenario?: string;
}

/** A SIPp process in the chroot; `done` resolves when it exits (or is stopped). */
export class Sipp {
  readonly done: Promise<SippResult>;
  private readonly child: ChildProcess;
  private readonly name: string;

  constructor(
    private readonly chroot: string,
    options: SippOptions,
  ) {
    this.name = `${options.scenario}-${options.address}-${process.pid}-${Date.now()}`;
    const workDir = `${RUN_DIR}/sipp/${this.name}`;
    mkdirSync(this.hostPath(workDir), { recursive: true });
    const args = [
      '-sf',
      `${RUN_DIR}/scenarios/${options.scenario}.xml`,
      '-i',
      options.address,
      '-mi',
      options.address,
      '-p',
      String(options.port ?? 5060),
      '-mp',
      String(options.mediaPort ?? 20_000),
      '-min_rtp_port',
      '10000',
      '-max_rtp_port',
      '30000',
      '-nostdin',
      '-trace_logs',
      '-log_file',
      `${workDir}/actions.log`,
      '-trace_err',
      '-error_file',
      `${workDir}/errors.log`,
    ];
    if (options.service) args.push('-s', options.service);
    if (options.auth) args.push('-au', options.auth.user, '-ap', options.auth.password);
    if (options.outOfCallScenario)
      args.push('-oocsf', `${RUN_DIR}/scenarios/${options.outOfCallScenario}.xml`);
    for (const [key, value] of Object.entries(options.keys ?? {})) args.push('-key', key, value);
    if (options.calls !== undefined) args.push('-m', String(options.calls));
    if (options.rate !== undefined) args.push('-r', String(options.rate));
    if (options.durationMs !== undefined) args.push('-d', String(options.durationMs));
    if (options.timeoutSeconds !== undefined)
      args.push('-timeout', `${options.timeoutSeconds}s`, '-timeout_error');
    // The rtt file lands in the working directory as <scenario>_<pid>_rtt.csv.
    if (options.traceRtt) args.push('-trace_rtt', '-rtt_freq', '1');
    if (options.remote) args.push(options.remote);

    this.child = spawn('chroot', [chroot, 'sh', '-c', `cd ${workDir} && exec sipp "$@"`, 'sipp', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-20_000);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    this.done = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        resolve({
          exitCode: code,
          stdout,
          stderr: stderr + this.readText(`${workDir}/errors.log`),
          logs: this.readText(`${workDir}/actions.log`).split('\n').filter(Boolean),
          responseTimesMs: this.readRtt(workDir),
        });
      });
    });
  }

  private hostPath(chrootPath: string): string {
    return join(this.chroot, chrootPath.slice(1));
  }

  private readText(chrootPath: string): string {
    const path = this.hostPath(chrootPath);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  private readRtt(workDir: string): number[] {
    const dir = this.hostPath(workDir);
    const file = readdirSync(dir).find((name) => name.endsWith('_rtt.csv'));
    if (!file) return [];
    // Columns: Date_ms;response_time_ms;rtd_no (e.g. "109.876;5.968;1")
    return readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.split(';'))
      .filter((cols) => cols.length >= 3 && cols[2]?.trim() === '1')
      .map((cols) => Number(cols[1]));
  }

  /** The scenario's <log> lines so far (the process still running). */
  logsSoFar(): string[] {
    return this.readText(`${RUN_DIR}/sipp/${this.name}/actions.log`).split('\n').filter(Boolean);
  }

  /** Stops a SIPp that would otherwise wait forever (a UAS phone). */
  async stop(): Promise<SippResult> {
    if (this.child.exitCode === null) this.child.kill('SIGUSR1');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    const result = await this.done;
    clearTimeout(timer);
    return result;
  }
}

/** A UAS phone on its own loopback address: answers every call, or only rings (`phone-ring`). */
export function startPhone(
  chroot: string,
  address: string,
  scenario: 'phone-answer' | 'phone-ring' = 'phone-answer',
): Sipp {
  return new Sipp(chroot, { scenario, address, mediaPort: 12_000 + Number(address.split('.').pop()) * 100 });
}
