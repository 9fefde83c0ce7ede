package io.switchboard.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.store.Definition;
import io.switchboard.store.Origin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The direct conversion of the kinds Switchboard maps gives what the generic conversion gives, errors included. */
class DocumentMapperTest {

    private static final Origin FILE = Origin.file(Path.of("/m/a.yaml"), 0);

    private static List<Definition> map(String text, boolean direct) {
        DocumentMapper mapper = new DocumentMapper(new ResourceMapper("switchboard"), direct);
        List<Definition> out = new ArrayList<>();
        assertThat(ManifestParser.parse(FILE, text, d -> out.add(mapper.map(d, "file", "/m/a.yaml", out.size()))))
                .isNull();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: 10.0.0.1\n"
                    + "  ports: [{name: http, port: 80, targetPort: 8080}]\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: 10.0.0.1\n  ports:\n  - port: abc\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - port: [1]\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: just text\n",
            "apiVersion: v1\nkind: Service\nmetadata: 5\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: [a]}\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - port: 80\n    targetPort: {a: b}\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.0.0.1, ports: [{port: 80}],"
                    + " sessionAffinityConfig: {clientIP: {timeoutSeconds: x}}}\n",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, labels: "
                    + "{kubernetes.io/service-name: web}}\naddressType: IPv4\nports: [{port: 80}]\n"
                    + "endpoints: [{addresses: [10.1.0.1]}]\n",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\nendpoints: x\n",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\nendpoints: [{addresses: [[1]]}]\n",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\nports: [{port: x}]\n",
            "apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets: [{addresses: [{ip: 10.1.0.1}], ports: [{port: 80}]}]\n",
            "apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets: [{ports: [{port: x}]}]\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
            "apiVersion: v1\nkind: Servce\nmetadata: {name: typo}\n",
            "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata: {name: s}\n",
            "apiVersion: v2\nkind: Service\nmetadata: {name: web}\n",
    })
    void directAndGenericConversionsAgree(String text) {
        assertThat(map(text, true)).isEqualTo(map(text, false));
    }

    @Test
    void aBadValueNamesItsFieldAndLine() {
        Definition d = map("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - port: abc\n",
                true).get(0);
        assertThat(d.mapped()).isNull();
        assertThat(d.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("spec.ports[0].port");
            assertThat(e.line()).isEqualTo(6);
            assertThat(e.message()).startsWith("invalid value: ");
        });
    }
}
