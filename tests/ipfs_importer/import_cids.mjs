// Prints the CIDv1 that IPFS's own JavaScript importer gives each file named on the command line, as
// `ipfs add --cid-version 1 --raw-leaves` does (fixed-size chunks, raw leaves, balanced DAG), one JSON object per
// line. Usage: node import_cids.mjs CHUNK_SIZE MAX_LINKS FILE...
import { readFile } from 'node:fs/promises'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MemoryBlockstore } from 'blockstore-core/memory'

const [chunkSize, maxLinks, ...files] = process.argv.slice(2)
for (const file of files) {
  const content = await readFile(file)
  const options = {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: Number(chunkSize) }),
    layout: balanced({ maxChildrenPerNode: Number(maxLinks) }),
  }
  let root
  for await (const entry of importer([{ content }], new MemoryBlockstore(), options)) {
    root = entry
  }
  console.log(JSON.stringify({ file, cid: root.cid.toString(), size: Number(root.size) }))
}
