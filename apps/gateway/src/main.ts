import 'reflect-metadata';
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { EnvError, loadGatewayEnv, type GatewayEnv } from './config/gateway-env';
import { runPrimary } from './cluster/primary';
import { runWorker } from './cluster/worker';
import { die, runSingle } from './single';
import { oneLine } from '@oauth2/core';

async function main(): Promise<void> {
  let env: GatewayEnv;
  try {
    env = loadGatewayEnv();
  } catch (e) {
    die(e instanceof EnvError ? e.message : oneLine(e));
  }
  if (cluster.isWorker) return runWorker(env);
  const workers = env.GATEWAY_WORKERS === 0 ? availableParallelism() : env.GATEWAY_WORKERS;
  if (workers > 1) return runPrimary(env, workers);
  return runSingle(env);
}

main().catch((e) => die(oneLine(e)));
