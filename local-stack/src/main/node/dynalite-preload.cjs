// Preloaded into dynalite by DynaliteProcess: `node --require <this file> <dynalite>/cli.js ...`. Three fixes to how
// dynalite 4.0.0 runs under the asof launcher; see docs/local-stack.md.
'use strict'

const path = require('path')

// 3. A client that gives up on a request while dynalite still reads its body (an SDK call attempt timing out, a
// service stopping) makes Node.js emit 'aborted' on the request, and dynalite's listener for it is
// `req.on('error', function (err) { throw err })` (index.js): the whole store went down with one dropped connection
// (a test run lost its store this way). Such an error concerns that request only; anything else still ends the
// process as before.
process.on('uncaughtException', (err) => {
  if (err && err.code === 'ECONNRESET' && err.message === 'aborted') {
    console.error('asof: a client dropped a request before sending all of it; the request is ignored')
    return
  }
  console.error(err)
  process.exit(1)
})

// 1. Ctrl-C is the launcher's alone. A terminal sends SIGINT to the whole foreground process group; the launcher
// then stops the services before dynalite. The launcher starts its children with SIGINT ignored, but Node.js resets
// every inherited signal disposition at start-up, so dynalite would die at once, under services still shutting
// down, and the launcher could take that for a crash. A listener keeps it alive; SIGTERM still stops it.
process.on('SIGINT', () => {})

// 2. dynalite turns LevelDB iterators into streams and, when a stream ends or is destroyed, closes the iterator
// only `if (iterator.return)` (db/index.js, createKeyStream and createValueStream). abstract-level's iterators have
// close() but no return(), so no Query, Scan or ListTables ever closes its iterators: each one stays registered
// with the database and keeps its native LevelDB iterator and snapshot. Memory grows with every read (about
// 10 MB a second under a steady read load) and never comes back. Giving the iterators the return() dynalite looks
// for lets its own clean-up run.
const dynalite = path.dirname(process.argv[1])
if (require(path.join(dynalite, 'package.json')).name !== 'dynalite') {
  throw new Error('asof: ' + __filename + ' is meant to be preloaded into dynalite/cli.js, not ' + process.argv[1])
}
// The store is classic-level (--path) or memory-level (in memory); patch the abstract-level each one uses.
const abstractLevels = new Set([ 'level', 'memory-level' ].map(store => {
  const storeDir = path.dirname(require.resolve(store + '/package.json', { paths: [ dynalite ] }))
  const backend = store === 'level'
    ? path.dirname(require.resolve('classic-level/package.json', { paths: [ storeDir ] }))
    : storeDir
  return require.resolve('abstract-level', { paths: [ backend ] })
}))
for (const file of abstractLevels) {
  const { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } = require(file)
  for (const type of [ AbstractIterator, AbstractKeyIterator, AbstractValueIterator ]) {
    if (typeof type.prototype.close !== 'function') {
      throw new Error('asof: ' + file + ' has iterators without close(); the dynalite iterator fix no longer fits')
    }
    if (typeof type.prototype.return !== 'function') {
      type.prototype.return = function () {
        return this.close()
      }
    }
  }
}
