import { runMain } from './action/run.js';

await runMain();
