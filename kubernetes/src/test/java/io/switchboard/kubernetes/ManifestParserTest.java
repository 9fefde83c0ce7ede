package io.switchboard.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** YAML as Kubernetes reads it: anchors, aliases and merge keys resolved, their expansion bounded. */
class ManifestParserTest {

    private static final Path FILE = Path.of("/manifests/web.yaml");

    private static ManifestParser.Result parse(String text) {
        return ManifestParser.parse(FILE, text);
    }

    @Test
    void emptyDocumentsAreSkippedAndAnEmptyValueIsNull() {
        ManifestParser.Result r = parse("""
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  annotations:
                ---

                ---
                """);
        assertThat(r.error()).isNull();
        assertThat(r.documents()).singleElement()
                .satisfies(d -> assertThat(d.node().at("/metadata/annotations").isNull()).isTrue());
    }

    @Test
    void anAliasStandsForWhatItsAnchorNames() {
        ManifestParser.Result r = parse("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  labels: &lbl {app: web, tier: front}
                spec:
                  selector: *lbl
                  ports:
                  - &p {name: http, port: 80}
                  - *p
                """);
        assertThat(r.error()).isNull();
        var node = r.documents().get(0).node();
        assertThat(node.at("/spec/selector/app").asText()).isEqualTo("web");
        assertThat(node.at("/spec/selector/tier").asText()).isEqualTo("front");
        assertThat(node.at("/spec/ports/1/port").asInt()).isEqualTo(80);
    }

    @Test
    void aMergeKeyAddsTheFieldsAMappingDoesNotSetItself() {
        ManifestParser.Result r = parse("""
                base: &base {port: 80, protocol: TCP, name: base}
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  ports:
                  - <<: *base
                    name: http
                  - <<: [*base, {appProtocol: http}]
                    port: 8080
                """);
        assertThat(r.error()).isNull();
        var ports = r.documents().get(0).node().at("/spec/ports");
        assertThat(ports.get(0).get("name").asText()).isEqualTo("http");
        assertThat(ports.get(0).get("port").asInt()).isEqualTo(80);
        assertThat(ports.get(0).has("<<")).isFalse();
        assertThat(ports.get(1).get("port").asInt()).isEqualTo(8080);
        assertThat(ports.get(1).get("appProtocol").asText()).isEqualTo("http");
        assertThat(ports.get(1).get("protocol").asText()).isEqualTo("TCP");
    }

    @Test
    void anAliasWithoutAnAnchorIsAnErrorAtItsLine() {
        ManifestParser.Result r = parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: *nowhere
                """);
        assertThat(r.documents()).isEmpty();
        assertThat(r.error()).hasToString(FILE + ":5: invalid YAML: alias *nowhere names no anchor (&nowhere)"
                + " defined before it in this document");
    }

    @Test
    void anchorsDoNotReachIntoTheNextDocument() {
        ManifestParser.Result r = parse("""
                a: &x 1
                ---
                b: *x
                """);
        assertThat(r.error()).isNotNull();
        assertThat(r.error().toString()).contains(":3: invalid YAML: alias *x names no anchor");
    }

    @Test
    void anAliasBombIsRefusedBeforeItExpands() {
        // Nine levels of nine aliases each: 9^9 (387 million) strings if expanded.
        StringBuilder y = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            char prev = (char) (c - 1);
            y.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                y.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            y.append("]\n");
        }
        ManifestParser.Result r = parse(y.toString());
        assertThat(r.documents()).isEmpty();
        assertThat(r.error().toString()).contains("invalid YAML: aliases expand to more than "
                + ManifestParser.MAX_ALIASED_NODES + " nodes in this document (an alias bomb?)");
    }

    @Test
    void aDocumentOfSeveralMegabytesIsRead() {
        StringBuilder y = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
        String value = "x".repeat(1000);
        for (int i = 0; i < 5_000; i++) {
            y.append("  k").append(i).append(": ").append(value).append('\n');
        }
        assertThat(y.length()).isGreaterThan(5_000_000);
        ManifestParser.Result r = parse(y.toString());
        assertThat(r.error()).isNull();
        assertThat(r.documents().get(0).node().at("/data").size()).isEqualTo(5_000);
    }

    @Test
    void aFieldsLineIsFoundAfterItsDocumentWasRead() {
        ManifestParser.Result r = parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: first}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  ports:
                  - port: 80
                """);
        ManifestDocument web = r.documents().get(1);
        assertThat(web.lineOf("spec.ports[0].port")).isEqualTo(10);
        assertThat(web.lineOf("spec.ports[0].nodePort")).as("the closest enclosing field").isEqualTo(10);
    }
}
