package io.switchboard.cli;

import io.switchboard.kubernetes.ManifestLoader;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.store.ValidationError;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Checks manifests the way {@code run} would load them. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a directory or file of manifests; print every error and exit 1 if there is one.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "Manifest directory or file.")
    Path path;

    @Option(names = "--proxy-name", defaultValue = "switchboard", description = "As for run (default: ${DEFAULT-VALUE}).")
    String proxyName;

    @Option(names = {"-v", "--verbose"}, description = "Also list objects that are valid but ignored.")
    boolean verbose;

    @Override
    public Integer call() {
        ManifestLoader.LoadResult r = new ManifestLoader(path, new ResourceMapper(proxyName)).load();
        for (ValidationError e : r.errors()) {
            System.err.println("error: " + e);
        }
        if (verbose) {
            r.notes().forEach(n -> System.out.println("note: " + n));
        }
        long ports = r.snapshot().services().values().stream().mapToLong(s -> s.ports().size()).sum();
        System.out.printf("%s: %d files, %d services (%d ports), %d with endpoints, %d errors%n", path, r.files(),
                r.snapshot().services().size(), ports, r.snapshot().slices().size(), r.errors().size());
        return r.errors().isEmpty() ? 0 : 1;
    }
}
