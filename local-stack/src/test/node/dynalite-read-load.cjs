// A steady read load on dynalite, printing its resident memory as it goes: the measurement behind "dynalite's
// memory" in docs/local-stack.md.
//
//   node local-stack/src/test/node/dynalite-read-load.cjs PORT PID [SECONDS] [CONCURRENCY]
//
// Fills a table like the event log (200 customers x 50 items of about 0.9 KB) unless it is there, then runs
// CONCURRENCY (default 8) loops of Query + GetItem for SECONDS (default 90), then watches 30 s more without load.
// Every 10 s it prints VmRSS and VmHWM of process PID from /proc (Linux). Plain HTTP, no SDK: dynalite checks the
// form of a signature, not its value.
'use strict'

const fs = require('fs')
const http = require('http')

const [ port, pid ] = process.argv.slice(2, 4).map(Number)
const seconds = Number(process.argv[4] || 90)
const concurrency = Number(process.argv[5] || 8)
if (!port || !pid) {
  console.error('usage: node dynalite-read-load.cjs PORT PID [SECONDS] [CONCURRENCY]')
  process.exit(2)
}
const TABLE = 'memory_load', CUSTOMERS = 200, EVENTS = 50
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })

function call (operation, body) {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/', agent,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'Content-Length': Buffer.byteLength(payload),
        'X-Amz-Target': 'DynamoDB_20120810.' + operation,
        'X-Amz-Date': '20250101T000000Z',
        Authorization: 'AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/dynamodb/aws4_request, ' +
          'SignedHeaders=host, Signature=0',
      },
    }, response => {
      let data = ''
      response.on('data', chunk => { data += chunk })
      response.on('end', () => response.statusCode === 200
        ? resolve(JSON.parse(data))
        : reject(new Error(operation + ' answered ' + response.statusCode + ': ' + data)))
    })
    request.on('error', reject)
    request.end(payload)
  })
}

function memory () {
  const status = fs.readFileSync('/proc/' + pid + '/status', 'utf8')
  const mb = field => Math.round(Number(status.match(new RegExp(field + ':\\s+(\\d+)'))[1]) / 1024)
  return 'VmRSS ' + mb('VmRSS') + ' MB, VmHWM ' + mb('VmHWM') + ' MB'
}

const S = value => ({ S: value })
const eventKey = i => '2025-01-01T00:00:' + String(i).padStart(2, '0') + 'Z#' + i

async function fill () {
  if ((await call('ListTables', {})).TableNames.includes(TABLE)) return
  await call('CreateTable', {
    TableName: TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'customer_id', AttributeType: 'S' },
      { AttributeName: 'event_key', AttributeType: 'S' },
      { AttributeName: 'recorded_at', AttributeType: 'N' },
    ],
    KeySchema: [ { AttributeName: 'customer_id', KeyType: 'HASH' }, { AttributeName: 'event_key', KeyType: 'RANGE' } ],
    LocalSecondaryIndexes: [ {
      IndexName: 'by_recorded',
      Projection: { ProjectionType: 'ALL' },
      KeySchema: [ { AttributeName: 'customer_id', KeyType: 'HASH' }, { AttributeName: 'recorded_at', KeyType: 'RANGE' } ],
    } ],
  })
  // Even with --createTableMs 0 the table is CREATING until dynalite's next timer tick.
  while ((await call('DescribeTable', { TableName: TABLE })).Table.TableStatus !== 'ACTIVE') {
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const payload = S('x'.repeat(800))
  for (let c = 0; c < CUSTOMERS; c++) {
    for (let first = 0; first < EVENTS; first += 25) {
      const items = []
      for (let i = first; i < first + 25; i++) {
        items.push({ PutRequest: { Item: {
          customer_id: S('cust_' + c), event_key: S(eventKey(i)), recorded_at: { N: String(1735689600000 + i) }, payload,
        } } })
      }
      await call('BatchWriteItem', { RequestItems: { [TABLE]: items } })
    }
  }
}

async function main () {
  console.log('start: ' + memory())
  await fill()
  console.log('filled ' + CUSTOMERS * EVENTS + ' items: ' + memory())
  const started = Date.now(), end = started + seconds * 1000
  let reads = 0, next = 0
  const sampler = setInterval(() => {
    console.log('t=' + Math.round((Date.now() - started) / 1000) + 's reads=' + reads + ': ' + memory())
  }, 10_000)
  async function reader () {
    while (Date.now() < end) {
      const customer = S('cust_' + (next++ % CUSTOMERS))
      await call('Query', {
        TableName: TABLE,
        KeyConditionExpression: 'customer_id = :c AND event_key <= :t',
        ExpressionAttributeValues: { ':c': customer, ':t': S('2025-01-01T00:00:40Z') },
      })
      await call('GetItem', { TableName: TABLE, Key: { customer_id: customer, event_key: S(eventKey(7)) } })
      reads += 2
    }
  }
  await Promise.all(Array.from({ length: concurrency }, reader))
  console.log('load over: ' + reads + ' reads in ' + seconds + ' s')
  agent.destroy()
  await new Promise(resolve => setTimeout(resolve, 30_000))
  clearInterval(sampler)
  console.log('30 s idle: ' + memory())
}

main().catch(error => {
  console.error(error)
  process.exit(1)
})
