import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';

/**
 * One environment loader for both apps (issues 12, 13). An app's environment is a class: each
 * property is one variable, declared with `@Env('what it must be')` next to its class-validator
 * rules and its default (the initializer). The loader reads exactly the declared properties, so a
 * new field cannot be silently ignored, and a validated property without `@Env` is a programming
 * error reported on the first load (every app's env spec loads once).
 *
 * Bad input is one line naming every bad variable, the same shape in both apps:
 *   `<app>: invalid environment: NAME="value" must be ...; OTHER (value hidden) must be ...`
 * (the app name is the prefix the app writes; secrets are never echoed).
 */

interface VarMeta {
  expected: string;
  secret: boolean;
}

const VARS = Symbol('env.vars');
type WithVars = { [VARS]?: Map<string, VarMeta> };

/**
 * Declares the property as an environment variable. `expected` completes "NAME must be ...";
 * `secret`: the value is never shown in an error.
 */
export function Env(expected: string, opts: { secret?: boolean } = {}): PropertyDecorator {
  return (target, key) => {
    const t = target as WithVars;
    // A subclass's first @Env starts from a copy of its parent's variables (shared OAUTH2_* keys).
    const own = Object.prototype.hasOwnProperty.call(t, VARS) ? t[VARS]! : new Map(t[VARS] ?? []);
    own.set(String(key), { expected, secret: opts.secret === true });
    Object.defineProperty(t, VARS, { value: own, enumerable: false, configurable: true });
  };
}

/** The variables `cls` reads, in declaration order (parents first), with what each must be. */
export function envVars(cls: new () => object): ReadonlyMap<string, VarMeta> {
  return (cls.prototype as WithVars)[VARS] ?? new Map();
}

/** Transform: an integer text becomes a number; anything else stays text (and fails @IsInt). */
export const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim()) ? Number(value) : value);
/** Transform: `true` / `false` become booleans; anything else stays text (and fails @IsBoolean). */
export const toBool = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

/** A start-up refusal: `message` is the one line after the app's name. */
export class EnvError extends Error {}

function checkDeclared(cls: new () => object, vars: ReadonlyMap<string, VarMeta>): void {
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    if (!vars.has(m.propertyName)) throw new Error(`${cls.name}.${m.propertyName} has validation rules but no @Env(...): it would never be read`);
  }
}

/**
 * Reads the variables `cls` declares from `env`, validates them, and returns the instance (defaults
 * for unset ones). An empty or blank variable counts as unset (`GATEWAY_PORT= npm start`). Throws
 * one EnvError naming every bad variable.
 */
export function loadEnvClass<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const vars = envVars(cls);
  checkDeclared(cls, vars);
  const plain: Record<string, string> = {};
  for (const name of vars.keys()) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') plain[name] = v;
  }
  const cfg = plainToInstance(cls, plain);
  const errors = validateSync(cfg);
  if (errors.length > 0) {
    // In declaration order (shared OAUTH2_* first), whatever order the validator found them in.
    const order = [...vars.keys()];
    errors.sort((a, b) => order.indexOf(a.property) - order.indexOf(b.property));
    const parts = errors.map((e) => {
      const m = vars.get(e.property)!;
      return `${e.property}${m.secret ? ' (value hidden)' : `=${JSON.stringify(plain[e.property])}`} must be ${m.expected}`;
    });
    throw new EnvError(`invalid environment: ${parts.join('; ')}`);
  }
  return cfg;
}
