// Preloaded into dynalite by DynaliteProcess: `node --require <this file> <dynalite>/cli.js ...`. Three fixes to how
// dynalite 4.0.0 runs under the asof launcher, and request counts for the benchmarks (4., only when asked for); see
// docs/local-stack.md.
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

// 4. With ASOF_DYNALITE_REQUEST_COUNTS=1 (bench/run sets it), the requests dynalite has answered so far, per operation
// (the X-Amz-Target after the dot): how many, the bytes of their bodies and of the answers. `GET /asof/request-counts`
// answers them as JSON, so a benchmark can tell what a phase asked of the store (for one, that its floor makes the
// same requests as the service it is compared with). Off, nothing here runs.
if (process.env.ASOF_DYNALITE_REQUEST_COUNTS === '1') {
  const http = require('http')
  const counts = {}
  const createServer = http.createServer
  http.createServer = function (...args) {
    const at = args.findIndex(arg => typeof arg === 'function')
    const handle = args[at]
    args[at] = function (req, res) {
      if (req.method === 'GET' && req.url === '/asof/request-counts') {
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(counts))
        return
      }
      const operation = String(req.headers['x-amz-target'] || 'none').split('.').pop()
      const count = counts[operation] || (counts[operation] = { requests: 0, request_bytes: 0, answer_bytes: 0 })
      count.requests++
      count.request_bytes += Number(req.headers['content-length']) || 0
      const end = res.end
      res.end = function (body, ...rest) {
        if (body && typeof body !== 'function') {
          count.answer_bytes += Buffer.byteLength(body)
        }
        return end.call(this, body, ...rest)
      }
      return handle.call(this, req, res)
    }
    return createServer.apply(this, args)
  }
}
