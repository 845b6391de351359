import { printCalibration } from './calibration.js';
import { runMcpBenchmarks } from './mcp.bench.js';
import { runObjectBenchmarks } from './objects.bench.js';
import { runOmsBenchmarks } from './oms.bench.js';
import { runPaperExchangeBenchmarks } from './paper-exchange.bench.js';
import { runRiskBenchmarks } from './risk.bench.js';
import { runRoutingBenchmarks } from './routing.bench.js';

console.log(`node ${process.version}, ${new Date().toISOString()}`);
const only = process.argv[2];
const calibrated = only === undefined || only === 'oms' || only === 'mcp' || only === 'calibration';
if (calibrated) await printCalibration('before');
if (only === undefined || only === 'paper') await runPaperExchangeBenchmarks();
if (only === undefined || only === 'oms') await runOmsBenchmarks(process.argv[3]);
if (only === undefined || only === 'mcp') await runMcpBenchmarks(process.argv[3]);
if (only === undefined || only === 'risk') runRiskBenchmarks();
if (only === undefined || only === 'routing') runRoutingBenchmarks();
if (only === undefined || only === 'objects') runObjectBenchmarks();
if (calibrated && only !== 'calibration') await printCalibration('after');
