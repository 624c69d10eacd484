export {};
// Placeholder for commands that later issues implement; says so instead of failing obscurely.
const name = process.argv[2] ?? 'this command';
process.stderr.write(`npm run ${name}: not yet available in this version of Ping'an Grid (see README, "Roadmap").\n`);
process.exit(2);
