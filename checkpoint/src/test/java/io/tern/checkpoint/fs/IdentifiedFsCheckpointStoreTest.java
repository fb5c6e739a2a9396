package io.tern.checkpoint.fs;

import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The store's contract, and the file store's own tests, on a store known by its marker. */
class IdentifiedFsCheckpointStoreTest extends FsCheckpointStoreTest {
  @Override
  protected CheckpointStore newStore(CheckpointStoreSettings settings) throws Exception {
    Path folder = storeFolder();
    CheckpointStoreLocation.parse(folder.toString()).initialise(settings.clock());
    return FsCheckpointStore.identified(folder, settings, OptionalLong.empty());
  }
}
