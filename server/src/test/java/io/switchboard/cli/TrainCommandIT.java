package io.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard train}, the launcher's training run, as its own process: a synthetic cluster
 * loaded and routed, then connections, requests and datagrams relayed on 127.0.0.1 and checked; and
 * build-bin/java.sh's {@code start_cache}, which records the start cache from it on the newest JDK
 * here, and a JVM that must use that cache ({@code -XX:AOTMode=on} or {@code -Xshare:on}) starting.
 */
class TrainCommandIT {

    private static final Path JAR = Path.of("target/switchboard.jar").toAbsolutePath();
    private static final Path JAVA_SH = Path.of("../build-bin/java.sh").toAbsolutePath();

    @TempDir
    Path dir;

    private record Run(int exit, String output) {
    }

    @Test
    void trainingLoadsAndRoutesTheSyntheticClusterAndRelaysEveryConnectionRequestAndDatagram() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Run r = run(List.of(java, "-jar", JAR.toString(), "train", "--services", "1200", "--rounds", "3",
                "--load", "1600"));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("trained: 1200 of 1200 Services routed (1201 after one more); 3 of 3"
                + " connections, 3 of 3 requests, 3 of 3 datagrams answered; 3200 of 3200 kept-alive requests and"
                + " echoes");
    }

    @Test
    void startCacheRecordsACacheOnTheNewestJdkThatAJvmMustUseStartsWith() throws Exception {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        Path jar = Files.copy(JAR, lib.resolve("switchboard.jar"));
        // The launcher's own steps: choose the JVM, make the cache, then start with its flags, here
        // with the mode that refuses to start when the cache cannot be used.
        Run r = run(List.of("bash", "-c", """
                set -eu
                . "$1"
                choose_java
                start_cache "$2" "$(dirname "$2")"
                [ ${#start_cache_flags[@]} -gt 0 ] || { echo "no start cache flags"; exit 3; }
                echo "feature $java_feature flags ${start_cache_flags[*]}"
                if [ "$java_feature" -ge 25 ]; then must=-XX:AOTMode=on; else must=-Xshare:on; fi
                "$java_bin" "${java_flags[@]}" "${start_cache_flags[@]}" "$must" -jar "$2" version
                """, "start-cache", JAVA_SH.toString(), jar.toString()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("switchboard ");
        String feature = r.output().replaceAll("(?s).*feature (\\d+) .*", "$1");
        Path cache = lib.resolve("switchboard-java" + feature + (Integer.parseInt(feature) >= 25 ? ".aot" : ".jsa"));
        assertThat(cache).exists();
        assertThat(r.output()).contains(cache.toString());
        try (var left = Files.list(lib)) {
            assertThat(left.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("the jar and its cache, no temporary files")
                    .containsExactly("switchboard-java" + feature + cache.toString().substring(cache.toString()
                            .lastIndexOf('.')), "switchboard.jar");
        }
    }

    private Run run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            boolean finished = p.waitFor(120, TimeUnit.SECONDS);
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(finished).as("finished within 120 s: %s", out).isTrue();
            return new Run(p.exitValue(), out);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
