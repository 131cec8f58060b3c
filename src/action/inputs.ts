/**
 * Reading the Action's inputs: secrets are masked before anything is logged, and a bad
 * value fails with one line naming the input.
 */
import * as path from 'node:path';
import { UsageError } from '../domain/errors.ts';
import type { KeyInputs } from '../ops/keys.ts';
import type { ActionIo } from './action-io.ts';
import type { ActionCommand } from './names.ts';
import { COMMANDS, Inputs } from './names.ts';

export class InputError extends UsageError {
  constructor(input: string, problem: string) {
    super(`input ${input}: ${problem}`);
  }
}

export class ActionInputs {
  readonly #io: ActionIo;
  readonly #env: NodeJS.ProcessEnv;

  constructor(io: ActionIo, env: NodeJS.ProcessEnv) {
    this.#io = io;
    this.#env = env;
  }

  text(name: string): string {
    return this.#io.getInput(name).trim();
  }

  /** One value per line, or comma-separated on one line. */
  list(name: string, { commas = true } = {}): string[] {
    return this.#io
      .getInput(name)
      .split('\n')
      .flatMap((line) => (commas ? line.split(',') : [line]))
      .map((s) => s.trim())
      .filter(Boolean);
  }

  bool(name: string): boolean {
    const value = this.text(name).toLowerCase();
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    throw new InputError(name, `${JSON.stringify(value)} is not true or false`);
  }

  count(name: string): number | undefined {
    const value = this.text(name);
    if (value === '') return undefined;
    if (value === 'unlimited') return -1;
    if (!/^\d+$/.test(value)) throw new InputError(name, `${JSON.stringify(value)} is not a whole number`);
    return Number(value);
  }

  command(): ActionCommand {
    const value = this.text(Inputs.command) || 'backup';
    if (!(COMMANDS as readonly string[]).includes(value))
      throw new InputError(Inputs.command, `${JSON.stringify(value)} is not one of ${COMMANDS.join(', ')}`);
    return value as ActionCommand;
  }

  required(name: string, forCommand: string): string {
    const value = this.text(name);
    if (value === '') throw new InputError(name, `is required for command ${forCommand}`);
    return value;
  }

  /** Mask every secret (each line of multi-line keys too) before anything can log it. */
  maskSecrets(): void {
    const env = this.#env;
    const secrets = [
      this.#io.getInput(Inputs.passphrase),
      this.#io.getInput(Inputs.identity),
      this.#io.getInput(Inputs.identityPassphrase),
      this.#io.getInput(Inputs.signingKey),
      this.#io.getInput(Inputs.signingKeyPassphrase),
      env.RIPCORD_PASSPHRASE ?? '',
      env.RIPCORD_IDENTITY ?? '',
      env.RIPCORD_IDENTITY_PASSPHRASE ?? '',
      env.RIPCORD_SIGNING_KEY ?? '',
      env.RIPCORD_SIGNING_KEY_PASSPHRASE ?? '',
    ];
    // Each value once (the same passphrase may come as an input and a variable), and each line
    // of a multi-line one (an armored key) too, as the runner masks line by line.
    const masks = new Set<string>();
    for (const secret of secrets) {
      if (!secret.trim()) continue;
      masks.add(secret);
      for (const line of secret.split('\n')) if (line.trim().length >= 4) masks.add(line.trim());
    }
    for (const mask of masks) this.#io.setSecret(mask);
  }

  keys(): KeyInputs {
    const env = this.#env;
    const input = (name: string) => this.#io.getInput(name);
    return {
      passphrase: input(Inputs.passphrase) || env.RIPCORD_PASSPHRASE,
      recipients: input(Inputs.recipients) || env.RIPCORD_RECIPIENTS,
      identity: input(Inputs.identity) || env.RIPCORD_IDENTITY,
      identityPassphrase: input(Inputs.identityPassphrase) || env.RIPCORD_IDENTITY_PASSPHRASE,
      signingKey: input(Inputs.signingKey) || env.RIPCORD_SIGNING_KEY,
      signingKeyPassphrase: input(Inputs.signingKeyPassphrase) || env.RIPCORD_SIGNING_KEY_PASSPHRASE,
      trustedSigners: input(Inputs.trustedSigners) || env.RIPCORD_TRUSTED_SIGNERS,
      allowUnsigned: this.bool(Inputs.allowUnsigned),
      warn: (message) => this.#io.warning(message),
    };
  }

  workingDirectory(): string {
    return path.resolve(this.#env.GITHUB_WORKSPACE || process.cwd(), this.text(Inputs.workingDirectory) || '.');
  }

  repository(cwd: string): string {
    const value = this.text(Inputs.repository) || this.#env.RIPCORD_REPO || '.ripcord';
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : path.resolve(cwd, value);
  }
}
