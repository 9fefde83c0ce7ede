package io.switchboard.store;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.ready;
import static io.switchboard.testing.Models.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.model.EndpointPort;
import io.switchboard.model.EndpointSlice;
import io.switchboard.model.Protocol;
import io.switchboard.model.ServiceId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DesiredStateTest {

    private static final ServiceId WEB = ServiceId.parse("shop/web");

    private final DesiredState state = new DesiredState();

    private static Definition definition(ObjectRef ref, Mapped mapped) {
        return new Definition(ref, new Definition.Slot("kubernetes", "", 0), mapped, List.of(),
                Origin.kubernetes(ref, "1"), Definition.FieldLines.NONE);
    }

    private static Definition slices(String object, String... sliceNames) {
        ObjectRef ref = new ObjectRef("EndpointSlice", "shop", object);
        List<EndpointSlice> list = new ArrayList<>();
        for (String name : sliceNames) {
            list.add(new EndpointSlice(name, WEB, List.of(new EndpointPort("http", Protocol.TCP, 8080)),
                    List.of(ready("10.1.0.1")), false));
        }
        return definition(ref, new Mapped.OfSlices(ref, list));
    }

    private static Definition ignored(String name) {
        ObjectRef ref = new ObjectRef("ConfigMap", "shop", name);
        return definition(ref, new Mapped.Ignored(ref, "not a kind Switchboard serves"));
    }

    private List<String> sliceNames() {
        return state.slicesOf(WEB).stream().map(EndpointSlice::name).toList();
    }

    @Test
    void aServiceIsInTheSnapshotWhileItsVersionIsInEffect() {
        ObjectRef ref = new ObjectRef("Service", "shop", "web");
        Definition d = definition(ref, new Mapped.OfService(ref, clusterIp("shop/web", "10.0.0.1",
                tcp("http", 80, 8080))));
        state.publish(ref, d);
        assertThat(state.snapshot().services()).containsOnlyKeys(WEB);
        assertThat(state.touched()).containsExactly(WEB);
        state.startCheckout();
        assertThat(state.touched()).isEmpty();
        state.withdraw(ref, d);
        assertThat(state.snapshot().services()).isEmpty();
        assertThat(state.touched()).containsExactly(WEB);
    }

    @Test
    void slicesOfOneServiceFromSeveralObjectsAreMergedInNameOrderAndWithdrawnByObject() {
        Definition second = slices("web-2", "web-b");
        Definition first = slices("web-1", "web-c", "web-a");
        state.publish(second.ref(), second);
        state.publish(first.ref(), first);
        assertThat(sliceNames()).containsExactly("web-a", "web-b", "web-c");
        state.withdraw(first.ref(), first);
        assertThat(sliceNames()).containsExactly("web-b");
        state.withdraw(second.ref(), second);
        assertThat(state.snapshot().slices()).doesNotContainKey(WEB);
        assertThat(state.touched()).containsExactly(WEB);
    }

    @Test
    void objectsIgnoredForOneReasonBeyondSixAreCountedWithFiveExamples() {
        for (int i = 1; i <= DesiredState.NOTE_EXAMPLES + 1; i++) {
            Definition d = ignored("cm-" + i);
            state.publish(d.ref(), d);
        }
        assertThat(state.ignoredNotes()).hasSize(DesiredState.NOTE_EXAMPLES + 1).first().isEqualTo(
                "kubernetes API ConfigMap shop/cm-1 (resourceVersion 1): ConfigMap shop/cm-1: ignored: "
                        + "not a kind Switchboard serves");
        Definition seventh = ignored("cm-7");
        state.publish(seventh.ref(), seventh);
        assertThat(state.ignoredNotes()).singleElement().asString()
                .startsWith("7 objects ignored: not a kind Switchboard serves; among them ")
                .contains("cm-5").doesNotContain("cm-6");
        state.withdraw(seventh.ref(), seventh);
        assertThat(state.ignoredNotes()).hasSize(DesiredState.NOTE_EXAMPLES + 1);
    }
}
