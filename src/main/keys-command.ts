import { ApiKeyStore } from '../agents/api-keys.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { Config } from '../config.js';
import { TradingError } from '../domain/errors.js';
import { openStore } from '../store/db.js';

const USAGE = 'Usage: keys create <agentId> | keys list [agentId] | keys revoke <id|prefix>';

/**
 * `keys create|list|revoke`: API key management on the configured store, without starting the
 * venues. A created key is printed once; listings show ids and prefixes, never keys.
 */
export async function keysCommand(
  args: readonly string[],
  config: Config,
  registry: AgentRegistry,
): Promise<number> {
  const [action, argument] = args;
  if (action === undefined || !['create', 'list', 'revoke'].includes(action)) {
    throw new TradingError(
      'INVALID_ARGUMENT',
      `Unknown keys command${action === undefined ? '' : ` "${action}"`}.`,
      {
        hint: USAGE,
      },
    );
  }
  if (action !== 'list' && argument === undefined) {
    throw new TradingError('INVALID_ARGUMENT', `keys ${action} needs an argument.`, { hint: USAGE });
  }
  const store = await openStore(config.databaseUrl);
  try {
    const keys = new ApiKeyStore(store);
    await keys.syncAgents(registry.list());
    const out = (line: string): void => {
      process.stdout.write(`${line}\n`);
    };
    if (action === 'create') {
      const agentId = argument ?? '';
      if (!registry.has(agentId)) {
        throw new TradingError('NOT_FOUND', `No agent "${agentId}" in the registry.`, {
          hint: `Known agents: ${registry
            .list()
            .map((c) => c.id)
            .join(', ')}.`,
        });
      }
      const created = await keys.create(agentId);
      out(`API key for agent ${agentId} (id ${created.id}); shown once, only its hash is stored:`);
      out('');
      out(`  ${created.key}`);
      out('');
      out('Send it as: Authorization: Bearer <key>');
    } else if (action === 'list') {
      const listed = await keys.list(argument);
      if (listed.length === 0) out('No API keys.');
      for (const k of listed) {
        const state = k.revokedAt === undefined ? 'active' : `revoked ${k.revokedAt.toISOString()}`;
        out(`${k.id}  ${k.agentId.padEnd(12)} ${k.prefix}…  created ${k.createdAt.toISOString()}  ${state}`);
      }
    } else {
      const revoked = await keys.revoke(argument ?? '');
      out(`Revoked ${revoked.id} (${revoked.prefix}…, agent ${revoked.agentId}); it stops working at once.`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
