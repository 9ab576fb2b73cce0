// Tidemark's local DynamoDB: dynalite (Apache-2.0) on 127.0.0.1 at a free port, started by io.tidemark.runtime.LocalDynamoDb.
//   node server.js [--path DIR]    (without --path the tables live in memory)
// Prints one line "tidemark-dynalite listening on port N" on stdout, then logs on stderr only.
// Exits when its stdin closes: the JVM that started it holds the other end of that pipe, so the server ends with
// that JVM however it ends (exit, crash or kill -9) and is never left behind.
'use strict';
const dynalite = require('dynalite');

const args = process.argv.slice(2);
let path;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--path' && i + 1 < args.length) path = args[++i];
  else { console.error(`tidemark-dynalite: unknown argument '${args[i]}' (usage: server.js [--path DIR])`); process.exit(2); }
}

// tables are ACTIVE at once, as Tidemark waits for them anyway
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let stopping = false;

function stop(why) {
  if (stopping) return;
  stopping = true;
  console.error(`tidemark-dynalite: stopping (${why})`);
  // flushes and closes the LevelDB store; exits anyway if that hangs
  setTimeout(() => process.exit(0), 5000).unref();
  if (server.closeAllConnections) server.closeAllConnections();
  server.close(() => process.exit(0));
}

// dynalite rethrows a request's stream error (a client that disconnects mid-request, e.g. a killed load: ECONNRESET,
// "aborted"), which would end the server for every other client; only that request is lost
process.on('uncaughtException', (e) => {
  if (e && (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'ECONNABORTED' || e.message === 'aborted')) {
    console.error(`tidemark-dynalite: a client went away mid-request (${e.code || e.message})`);
    return;
  }
  console.error(`tidemark-dynalite: ${e && e.stack || e}`);
  process.exit(1);
});
server.on('error', (e) => { console.error(`tidemark-dynalite: ${e.stack || e}`); process.exit(1); });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`tidemark-dynalite listening on port ${server.address().port}\n`);
  console.error(`tidemark-dynalite: pid ${process.pid} on 127.0.0.1:${server.address().port}, `
    + (path ? `data in ${path}` : 'data in memory'));
});
process.stdin.on('end', () => stop('stdin closed: the JVM that started it is gone'));
process.stdin.on('error', () => stop('stdin failed'));
process.stdin.resume();
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
