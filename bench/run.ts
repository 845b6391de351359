import { runPaperExchangeBenchmarks } from './paper-exchange.bench.js';

console.log(`node ${process.version}, ${new Date().toISOString()}`);
await runPaperExchangeBenchmarks();
