package io.switchboard.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.store.Origin;
import io.switchboard.store.ValidationError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast reader against the full parser: whatever the fast reader takes must come out as the full
 * parser reads it (the same trees, lines, line indexes and errors), and what it does not take must
 * still be read in full.
 */
class PlainYamlReaderTest {

    private static final Origin FILE = Origin.file(Path.of("/m/a.yaml"), 0);

    private record Read(List<ManifestDocument> docs, ValidationError error) {
    }

    private static Read fast(String text) {
        List<ManifestDocument> docs = new ArrayList<>();
        ValidationError e = ManifestParser.parse(FILE, text, docs::add);
        return new Read(docs, e);
    }

    private static Read full(String text) {
        List<ManifestDocument> docs = new ArrayList<>();
        ValidationError e = ManifestParser.parseFully(FILE, text, docs::add);
        return new Read(docs, e);
    }

    private static void assertSame(String text) {
        Read f = fast(text);
        Read s = full(text);
        assertThat(f.error()).as("error of %s", text).isEqualTo(s.error());
        if (s.error() != null) {
            return; // on an error the documents handed over are dropped
        }
        assertThat(f.docs()).as("documents of %s", text).hasSameSizeAs(s.docs());
        for (int i = 0; i < s.docs().size(); i++) {
            ManifestDocument a = f.docs().get(i);
            ManifestDocument b = s.docs().get(i);
            assertThat(a.node().toString()).as("tree %d of %s", i, text).isEqualTo(b.node().toString());
            assertThat(a.node()).isEqualTo(b.node());
            assertThat(a.line()).as("line of document %d of %s", i, text).isEqualTo(b.line());
            assertThat(a.lines()).as("line index of document %d of %s", i, text).isEqualTo(b.lines());
            assertThat(a.lineOf("spec.ports[0].port")).isEqualTo(b.lineOf("spec.ports[0].port"));
            assertThat(a.lineOf("metadata.name")).isEqualTo(b.lineOf("metadata.name"));
        }
    }

    private static boolean taken(String text) {
        return PlainYamlReader.read(text, 0, 1) != null;
    }

    /** What generated manifests look like: the fast reader takes all of these. */
    @ParameterizedTest
    @ValueSource(strings = {
            """
            apiVersion: v1
            kind: Service
            metadata: {name: s0, namespace: scale, creationTimestamp: "2026-01-01T00:00:00Z"}
            spec:
              clusterIP: 127.64.0.1
              ports: [{name: tcp, port: 18082, targetPort: 18190}]
            """,
            """
            # a comment before
            apiVersion: v1
            kind: Service
            metadata:
              name: web   # trailing comment
              namespace: default
              labels:
                app.kubernetes.io/name: web
                kubernetes.io/service-name: web
              annotations:
                'single': 'it is'
                "double": "a # not a comment"
                empty:
                tilde: ~
                nul: null
            spec:
              type: NodePort
              clusterIPs:
              - 10.0.0.1
              - 10.0.0.2
              ports:
              - name: http
                port: 80
                targetPort: http
                nodePort: 30080
                protocol: TCP
              -   name: https
                  port: 443
              selector: {app: web, tier: "front"}
              publishNotReadyAddresses: true
              allocateLoadBalancerNodePorts: false
              sessionAffinityConfig:
                clientIP:
                  timeoutSeconds: 2147483647
              big: 2147483648
              zero: 0
              nested:
                - - a
                  - b
                - []
                - {}
                -
                  x: y
                - ''
            """,
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: s0-1, namespace: scale, labels: {kubernetes.io/service-name: s0}}
            addressType: IPv4
            ports: [{name: tcp, port: 18190}]
            endpoints: [{addresses: [127.0.10.1, 127.0.10.2]}]
            """,
            """
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata:
                name: a
              spec:
                ports:
                - port: 80
            - apiVersion: v1
              kind: Service
              metadata: {name: b}
            """,
            """
            key with spaces  : value with spaces and , [ ] } inside
            url: http://example.com:8080/path
            time: 2026-01-02T03:04:05Z
            date: 2026-01-02
            version: "1.20"
            float-like: 1.2.3
            oct-like: 08
            word: yesterday
            1: numeric key
            true: boolean key
            """,
    })
    void generatedManifestsAreReadFastAndAsTheFullParserReadsThem(String text) {
        assertThat(taken(text)).as("taken: %s", text).isTrue();
        assertSame(text);
    }

    /** Beyond the fast reader: given up on, so the full parser reads it, with the same result. */
    @ParameterizedTest
    @ValueSource(strings = {
            "a: &x {b: 1}\nc: *x\n",
            "base: &b {p: 1}\nm:\n  <<: *b\n",
            "a: !!str 1\n",
            "a: |\n  line one\n  line two\n",
            "a: >\n  folded\n",
            "a: multi\n  line plain\n",
            "a: {b: 1,\n  c: 2}\n",
            "a: [1,\n  2]\n",
            "a: \"esc\\\"aped\"\n",
            "a: 'it''s'\n",
            "a: yes\nb: off\nc: True\n",
            "a: 1.5\nb: -1\nc: 012\nd: 1_000\ne: 0x1F\nf: 12:30\n",
            "a: 123456789012345678901234567890\n",
            "a:\tb\n",
            "a: b\r\nc: d\r\n",
            "a: caf\u00e9\n",
            "%YAML 1.1\n---\na: b\n",
            "a: b\n...\n",
            "--- {a: b}\n",
            "{\"apiVersion\": \"v1\", \"kind\": \"Service\"}\n",
            "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\"\n}\n",
            "  a: indented root\n",
            "- a\n- b\n",
            "just a scalar\n",
            "a: b: c\n",
            "a: b\n  c: d\n",
            "a:\n  b: 1\n c: 2\n",
            "a: {b: c, }\n",
            "a: [b, c, ]\n",
            "a: {b}\n",
            "a: [b: c]\n",
            "a: {b:c}\n",
            "a: {b: nginx:1.2}\n",
            "a: \"unterminated\n",
            "a: 'x' trailing\n",
            "? complex\n: key\n",
            "a: -x\nb: :y\n",
            "a: b\na: c\n",
            "a:\n- 1\n - 2\n",
            "a:\n  - 1\n  b: 2\n",
    })
    void whatTheFastReaderDoesNotTakeIsReadInFull(String text) {
        assertSame(text);
    }

    @Test
    void documentsAfterOneItGivesUpOnAreReadInFullWithTheirOwnLines() {
        String text = """
                apiVersion: v1
                kind: Service
                metadata: {name: a}
                ---
                apiVersion: v1
                kind: Service
                metadata: &m {name: b}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: c
                spec:
                  ports:
                  - port: x
                """;
        assertSame(text);
        Read r = fast(text);
        assertThat(r.docs()).extracting(ManifestDocument::line).containsExactly(1, 5, 9);
        assertThat(r.docs().get(2).lineOf("spec.ports[0].port")).isEqualTo(15);
    }

    @Test
    void aSyntaxErrorAfterFastDocumentsNamesItsLineInTheFile() {
        String text = "a: 1\n---\nb: 2\n---\nc: [1,\n  2\nd: 3\n";
        assertSame(text);
        assertThat(fast(text).error()).isNotNull();
        assertThat(fast(text).error().line()).isEqualTo(full(text).error().line());
    }

    @Test
    void emptyDocumentsAndMarkersAreSkippedAsTheFullParserSkipsThem() {
        for (String text : List.of("", "\n", "# only a comment\n", "---\n", "---\n---\n", "--- # c\na: 1\n---\n\n---\n",
                "a: 1\n---\n# nothing\n---\nb: 2", "a: 1\n\n\n# trailing\n")) {
            assertSame(text);
        }
    }
}
