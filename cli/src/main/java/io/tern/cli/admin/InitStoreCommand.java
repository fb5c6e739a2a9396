package io.tern.cli.admin;

import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.checkpoint.fs.FsStoreRoot;
import io.tern.cli.UserInputException;
import io.tern.cli.agent.AgentFlags;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tern admin init-store LOCATION}: initialises a file checkpoint store by hand. */
@Command(
    name = "init-store",
    description = {
      "Initialise a file checkpoint store: make its folder if it is missing and write its"
          + " .tern-store.json, the marker that tells the store from an empty folder where its"
          + " volume is not mounted (schedulers and agents use no folder without it). A cluster's"
          + " first tern scheduler --checkpoint-store does this itself; run it for a store no"
          + " scheduler uses, or one a scheduler leaves alone because its cluster ran jobs before"
          + " it recorded a store. Check that the store's volume is mounted first.",
      "A folder with a marker is left as it is; one with files but no marker (a store from before"
          + " markers) is marked as it is. Prints the store's id."
    })
public final class InitStoreCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "LOCATION", description = "The store's folder: a path or file:///PATH.")
  String location;

  @Override
  public Integer call() throws IOException {
    CheckpointStoreLocation store;
    try {
      store = AgentFlags.checkpointStore(location);
    } catch (UserInputException e) {
      throw new UserInputException(e.getMessage().replace("--checkpoint-store", "LOCATION"));
    }
    if (!store.isFile()) {
      throw new UserInputException(
          "LOCATION: " + location + " is not a file store (an S3 store needs only its bucket)");
    }
    Path folder = store.path();
    boolean marked = Files.exists(folder.resolve(FsStoreRoot.MARKER));
    boolean hadFiles = !marked && !FsStoreRoot.identified(folder, Clock.systemUTC()).isEmpty();
    StoreIdentity identity = store.initialise(Clock.systemUTC());
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "checkpoint store "
            + folder
            + (marked
                ? " was initialised already: "
                : hadFiles ? " (files from before markers) marked: " : " initialised: ")
            + identity);
    out.flush();
    return 0;
  }
}
