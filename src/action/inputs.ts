/**
 * Reading the Action's inputs: secrets are masked before anything is logged, and a bad
 * value fails with one line naming the input.
 */
import * as core from '@actions/core';
import * as path from 'node:path';
import { UsageError } from '../domain/errors.ts';
import type { KeyInputs } from '../ops/keys.ts';
import type { ActionCommand } from './names.ts';
import { COMMANDS, Inputs } from './names.ts';

export class InputError extends UsageError {
  constructor(input: string, problem: string) {
    super(`input ${input}: ${problem}`);
  }
}

export function text(name: string): string {
  return core.getInput(name).trim();
}

/** One value per line, or comma-separated on one line. */
export function list(name: string, { commas = true } = {}): string[] {
  return core
    .getInput(name)
    .split('\n')
    .flatMap((line) => (commas ? line.split(',') : [line]))
    .map((s) => s.trim())
    .filter(Boolean);
}

export function bool(name: string): boolean {
  const value = text(name).toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new InputError(name, `${JSON.stringify(value)} is not true or false`);
}

export function count(name: string): number | undefined {
  const value = text(name);
  if (value === '') return undefined;
  if (value === 'unlimited') return -1;
  if (!/^\d+$/.test(value)) throw new InputError(name, `${JSON.stringify(value)} is not a whole number`);
  return Number(value);
}

export function command(): ActionCommand {
  const value = text(Inputs.command) || 'backup';
  if (!(COMMANDS as readonly string[]).includes(value)) throw new InputError(Inputs.command, `${JSON.stringify(value)} is not one of ${COMMANDS.join(', ')}`);
  return value as ActionCommand;
}

export function required(name: string, forCommand: string): string {
  const value = text(name);
  if (value === '') throw new InputError(name, `is required for command ${forCommand}`);
  return value;
}

/** Mask every secret (each line of multi-line keys too) before anything can log it. */
export function maskSecrets(env: NodeJS.ProcessEnv): void {
  const secrets = [
    core.getInput(Inputs.passphrase),
    core.getInput(Inputs.identity),
    core.getInput(Inputs.identityPassphrase),
    core.getInput(Inputs.signingKey),
    core.getInput(Inputs.signingKeyPassphrase),
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
  for (const mask of masks) core.setSecret(mask);
}

export function keyInputs(env: NodeJS.ProcessEnv): KeyInputs {
  return {
    passphrase: core.getInput(Inputs.passphrase) || env.RIPCORD_PASSPHRASE,
    recipients: core.getInput(Inputs.recipients) || env.RIPCORD_RECIPIENTS,
    identity: core.getInput(Inputs.identity) || env.RIPCORD_IDENTITY,
    identityPassphrase: core.getInput(Inputs.identityPassphrase) || env.RIPCORD_IDENTITY_PASSPHRASE,
    signingKey: core.getInput(Inputs.signingKey) || env.RIPCORD_SIGNING_KEY,
    signingKeyPassphrase: core.getInput(Inputs.signingKeyPassphrase) || env.RIPCORD_SIGNING_KEY_PASSPHRASE,
    trustedSigners: core.getInput(Inputs.trustedSigners) || env.RIPCORD_TRUSTED_SIGNERS,
    allowUnsigned: bool(Inputs.allowUnsigned),
    warn: (message) => core.warning(message),
  };
}

export function workingDirectory(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), text(Inputs.workingDirectory) || '.');
}

export function repository(env: NodeJS.ProcessEnv, cwd: string): string {
  const value = text(Inputs.repository) || env.RIPCORD_REPO || '.ripcord';
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : path.resolve(cwd, value);
}
