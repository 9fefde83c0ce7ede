package io.switchboard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.DeleteOption;
import io.switchboard.kubernetes.ManifestDocument;
import io.switchboard.kubernetes.ManifestLoader;
import io.switchboard.kubernetes.ManifestParser;
import io.switchboard.kubernetes.ResourceMapper;
import io.switchboard.source.etcd.EtcdSettings;
import io.switchboard.store.ObjectRef;
import io.switchboard.store.ValidationError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The operator's way to manage a fleet's configuration in etcd: {@code put} validates manifests as
 * {@code run} would and stores one key per object ({@code PREFIX NAMESPACE/KIND/NAME}), {@code get}
 * lists or shows them, {@code delete} removes one.
 */
@Command(name = "etcd", mixinStandardHelpOptions = true, description = "Store, show and remove manifests in etcd.",
        subcommands = {EtcdCommand.Put.class, EtcdCommand.Get.class, EtcdCommand.Delete.class})
final class EtcdCommand {

    /** etcd transactions are limited to 128 operations by default; stay under it. */
    static final int BATCH = 100;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    EtcdCommand() {
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static Client client(EtcdOptions etcd, CommandLine cmd) {
        if (!etcd.given()) {
            throw new CommandLine.ParameterException(cmd, "--etcd URL is required");
        }
        return etcd.settings(cmd).client();
    }

    /** The key of an object: {@code PREFIX NAMESPACE/KIND/NAME}. */
    static String keyOf(String prefix, ObjectRef ref) {
        return prefix + ref.namespace() + "/" + ref.kind() + "/" + ref.name();
    }

    /** {@code switchboard etcd put PATH}. */
    @Command(name = "put", mixinStandardHelpOptions = true,
            description = "Validate a file or directory of manifests and store each object under its own key"
                    + " (PREFIX NAMESPACE/KIND/NAME, or --key for a single object); nothing is stored if any is invalid.")
    static final class Put implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        EtcdOptions etcd = new EtcdOptions();
        @Parameters(paramLabel = "PATH", description = "Manifest file or directory.")
        Path path;
        @Option(names = "--key", description = "The key (under the prefix) for a single object, instead of"
                + " NAMESPACE/KIND/NAME.")
        String key;
        @Option(names = "--proxy-name", defaultValue = "switchboard", description = "As for run (default: ${DEFAULT-VALUE}).")
        String proxyName;

        @Override
        public Integer call() throws Exception {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.io.PrintWriter err = spec.commandLine().getErr();
            ManifestLoader.LoadResult checked = new ManifestLoader(path, new ResourceMapper(proxyName)).load();
            if (!checked.errors().isEmpty()) {
                for (ValidationError e : checked.errors()) {
                    err.println("error: " + e);
                }
                err.println("nothing stored: " + checked.errors().size() + " errors");
                return 1;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Path file : files(path)) {
                ManifestParser.Result parsed = ManifestParser.parse(file, Files.readString(file, StandardCharsets.UTF_8));
                for (ManifestDocument doc : parsed.documents()) {
                    String k = keyOf(etcd.prefix, doc.ref());
                    if (values.put(k, YAML.writeValueAsString(doc.node())) != null) {
                        err.println("error: " + doc.originOf("") + ": " + doc.ref() + " is defined twice");
                        return 1;
                    }
                }
            }
            if (key != null) {
                if (values.size() != 1) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--key needs exactly one object, "
                            + path + " has " + values.size());
                }
                String only = values.values().iterator().next();
                values = Map.of(etcd.prefix + key, only);
            }
            try (Client client = client(etcd, spec.commandLine())) {
                List<Map.Entry<String, String>> all = new ArrayList<>(values.entrySet());
                long revision = 0;
                for (int i = 0; i < all.size(); i += BATCH) {
                    List<Op> ops = new ArrayList<>();
                    for (Map.Entry<String, String> e : all.subList(i, Math.min(all.size(), i + BATCH))) {
                        ops.add(Op.put(bytes(e.getKey()), bytes(e.getValue()), PutOption.DEFAULT));
                    }
                    revision = client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit()
                            .get(30, TimeUnit.SECONDS).getHeader().getRevision();
                }
                all.forEach(e -> out.println("put " + e.getKey()));
                out.println(all.size() + " objects stored at revision " + revision);
            }
            return 0;
        }

        private static List<Path> files(Path path) throws IOException {
            if (!Files.isDirectory(path)) {
                return List.of(path);
            }
            try (Stream<Path> s = Files.list(path)) {
                // The files run would read, in the order it reads them.
                return s.filter(ManifestLoader::isManifest).sorted().toList();
            }
        }
    }

    /** {@code switchboard etcd get [KEY]}. */
    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "List the keys under the prefix with their revisions, or print one key's manifest.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        EtcdOptions etcd = new EtcdOptions();
        @Parameters(paramLabel = "NS/KIND/NAME", arity = "0..1", description = "The key under the prefix.")
        String key;

        @Override
        public Integer call() throws Exception {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.io.PrintWriter err = spec.commandLine().getErr();
            try (Client client = client(etcd, spec.commandLine())) {
                if (key == null) {
                    var r = client.getKVClient().get(bytes(etcd.prefix), GetOption.builder().isPrefix(true)
                            .withKeysOnly(true).build()).get(30, TimeUnit.SECONDS);
                    for (KeyValue kv : r.getKvs()) {
                        out.println(kv.getKey().toString(StandardCharsets.UTF_8).substring(etcd.prefix.length())
                                + "\trevision " + kv.getModRevision());
                    }
                    out.println(r.getKvs().size() + " keys at revision " + r.getHeader().getRevision());
                    return 0;
                }
                var r = client.getKVClient().get(bytes(etcd.prefix + key)).get(30, TimeUnit.SECONDS);
                if (r.getKvs().isEmpty()) {
                    err.println("error: no key " + etcd.prefix + key);
                    return 1;
                }
                out.print(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
                return 0;
            }
        }
    }

    /** {@code switchboard etcd delete KEY}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove one key under the prefix.")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        EtcdOptions etcd = new EtcdOptions();
        @Parameters(paramLabel = "NS/KIND/NAME", description = "The key under the prefix.")
        String key;

        @Override
        public Integer call() throws Exception {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.io.PrintWriter err = spec.commandLine().getErr();
            try (Client client = client(etcd, spec.commandLine())) {
                long n = client.getKVClient().delete(bytes(etcd.prefix + key), DeleteOption.DEFAULT)
                        .get(30, TimeUnit.SECONDS).getDeleted();
                if (n == 0) {
                    err.println("error: no key " + etcd.prefix + key);
                    return 1;
                }
                out.println("deleted " + etcd.prefix + key);
                return 0;
            }
        }
    }
}
