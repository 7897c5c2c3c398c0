// @ts-check
// Loaded with `node --import` by bench/scale.js: at exit, writes the process's peak resident set
// size (bytes) to $BENCH_RSS_FILE, so a run is measured whole, from outside its own code.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
