package io.switchboard.source.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.store.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestSourceWatchTest {

    @TempDir
    Path dir;

    private final ResourceMapper mapper = new ResourceMapper("");

    @Test
    void onlyNamesTheLoaderReadsOrAConfigMapSwapAskForASync() throws Exception {
        ManifestSource source = new ManifestSource(dir, mapper, new ObjectStore());
        assertThat(source.matters(Path.of("a.yaml"))).isTrue();
        assertThat(source.matters(Path.of("b.yml"))).isTrue();
        assertThat(source.matters(Path.of("c.json"))).isTrue();
        assertThat(source.matters(Path.of("..data"))).isTrue();
        assertThat(source.matters(Path.of("..2026_12_04_21_00_00.123"))).isTrue();
        assertThat(source.matters(Path.of(".a.yaml.swp"))).isFalse();
        assertThat(source.matters(Path.of(".add-1.tmp"))).isFalse();
        assertThat(source.matters(Path.of("a.yaml~"))).isFalse();
        assertThat(source.matters(Path.of("notes.txt"))).isFalse();
    }

    @Test
    void aSingleFileRootCaresAboutThatFileOnly() throws Exception {
        Path file = Files.writeString(dir.resolve("svc.yaml"), "");
        ManifestSource source = new ManifestSource(file, mapper, new ObjectStore());
        assertThat(source.matters(Path.of("svc.yaml"))).isTrue();
        assertThat(source.matters(Path.of("..data"))).isTrue();
        assertThat(source.matters(Path.of("other.yaml"))).isFalse();
    }

    @Test
    void aTemporaryFileSignalsNothingUntilItIsRenamedToAManifest() throws Exception {
        AtomicInteger signalled = new AtomicInteger();
        List<Path> seen = new CopyOnWriteArrayList<>();
        ManifestSource source = new ManifestSource(dir, mapper, new ObjectStore());
        try (DirectoryWatcher watcher = new DirectoryWatcher(dir, name -> {
            seen.add(name);
            return source.matters(name);
        }, signalled::incrementAndGet)) {
            watcher.start();
            Path tmp = Files.writeString(dir.resolve(".add-1.tmp"), "kind: Service\n");
            // The hidden file's own events come first (inotify keeps order); once they are seen,
            // the rename below is the only thing that may signal.
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(tmp.getFileName()));
            assertThat(signalled).hasValue(0);
            Files.move(tmp, dir.resolve("add-1.yaml"), StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10)).until(() -> signalled.get() > 0);
            assertThat(seen).contains(Path.of("add-1.yaml"));
        }
    }
}
