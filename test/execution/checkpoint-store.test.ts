/** Every CheckpointStore runs the same contract. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointStore, MemoryCheckpointStore } from '../../src/execution/index.js';
import { checkpointStoreContract } from './checkpoint-store-contract.js';

checkpointStoreContract('files', { make: () => new FileCheckpointStore(mkdtempSync(join(tmpdir(), 'tune-ckpt-store-'))), crossesThreads: true });
checkpointStoreContract('memory', { make: () => new MemoryCheckpointStore(), crossesThreads: false });
