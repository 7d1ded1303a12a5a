import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { Transform } from 'class-transformer';
import { Env, envVars, EnvError, loadEnvClass, SharedEnv, toInt } from './index';

class AppEnv extends SharedEnv {
  @Env('an integer 1-10') @Transform(toInt) @IsInt() @Min(1) @Max(10) APP_N = 5;
  @Env('lower-case letters', { secret: true }) @Matches(/^[a-z]+$/) APP_SECRET = 'abc';
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as Error).message;
  }
  throw new Error('did not throw');
};

describe('loadEnvClass', () => {
  it('reads every @Env property, the shared OAUTH2_* ones first', () => {
    expect([...envVars(AppEnv).keys()]).toEqual(['OAUTH2_DATA_DIR', 'OAUTH2_DATABASE', 'OAUTH2_MASTER_KEY', 'APP_N', 'APP_SECRET']);
    expect(loadEnvClass(AppEnv, { APP_N: '7', OAUTH2_DATABASE: '/x.db', OTHER: 'ignored' })).toMatchObject({ APP_N: 7, APP_SECRET: 'abc', OAUTH2_DATA_DIR: './data', OAUTH2_DATABASE: '/x.db' });
  });

  it('an empty or blank variable is unset', () => {
    expect(loadEnvClass(AppEnv, { APP_N: '', APP_SECRET: '  ' })).toMatchObject({ APP_N: 5, APP_SECRET: 'abc' });
  });

  it('one line, every bad variable, values shown except secrets', () => {
    const m = message(() => loadEnvClass(AppEnv, { APP_N: '1.5', APP_SECRET: 'HUSH-123', OAUTH2_MASTER_KEY: 'hush-key' }));
    expect(m).toBe(
      'invalid environment: OAUTH2_MASTER_KEY (value hidden) must be 32 bytes as 64 hex digits, base64 or base64url; APP_N="1.5" must be an integer 1-10; APP_SECRET (value hidden) must be lower-case letters',
    );
  });

  it.each(['0x5', '1e1', '5 5', 'five'])('APP_N=%s is not an integer', (v) => {
    expect(message(() => loadEnvClass(AppEnv, { APP_N: v }))).toBe(`invalid environment: APP_N=${JSON.stringify(v)} must be an integer 1-10`);
  });

  it('a validated property without @Env is a programming error, not a silently ignored variable', () => {
    class Forgot extends SharedEnv {
      @IsString() FORGOTTEN = 'x';
    }
    expect(() => loadEnvClass(Forgot, {})).toThrow('Forgot.FORGOTTEN has validation rules but no @Env(...)');
  });

  it('a 32-byte master key as hex or base64url passes', () => {
    expect(loadEnvClass(AppEnv, { OAUTH2_MASTER_KEY: 'ab'.repeat(32) }).OAUTH2_MASTER_KEY).toBe('ab'.repeat(32));
    expect(() => loadEnvClass(AppEnv, { OAUTH2_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url') })).not.toThrow();
  });
});
