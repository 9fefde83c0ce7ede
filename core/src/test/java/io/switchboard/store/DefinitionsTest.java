package io.switchboard.store;

import static io.switchboard.testing.Models.clusterIp;
import static io.switchboard.testing.Models.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefinitionsTest {

    private static final ObjectRef WEB = new ObjectRef("Service", "shop", "web");

    private static Definition inFile(String file, Mapped mapped, ValidationError... errors) {
        return new Definition(WEB, new Definition.Slot("file", file, 0), mapped, List.of(errors),
                Origin.file(Path.of(file), 3), Definition.FieldLines.NONE);
    }

    private static Mapped web() {
        return new Mapped.OfService(WEB, clusterIp("shop/web", "10.0.0.1", tcp("http", 80, 8080)));
    }

    @Test
    void theFirstSlotWinsAndTheOthersAreReportedAsDuplicatesOfIt() {
        Definitions defs = new Definitions();
        Definition second = inFile("b.yaml", web());
        Definition first = inFile("a.yaml", web());
        defs.put(second);
        defs.put(first);
        assertThat(defs.first(WEB)).isSameAs(first);
        assertThat(defs.ownErrors(WEB)).singleElement().hasToString(
                "b.yaml:3: Service shop/web: metadata.name: duplicate: already defined at a.yaml:3");
        defs.remove(WEB, first.slot());
        assertThat(defs.first(WEB)).isSameAs(second);
        assertThat(defs.ownErrors(WEB)).isEmpty();
    }

    @Test
    void anInvalidWinnerIsNoValidWinnerAndItsErrorsAreTheObjects() {
        Definitions defs = new Definitions();
        ValidationError bad = new ValidationError(Origin.file(Path.of("a.yaml"), 4), WEB, "spec.ports[0].port",
                "must be between 1 and 65535, got 0");
        defs.put(inFile("a.yaml", null, bad));
        assertThat(defs.defines(WEB)).isTrue();
        assertThat(defs.first(WEB)).isNotNull();
        assertThat(defs.validWinner(WEB)).isNull();
        assertThat(defs.ownErrors(WEB)).containsExactly(bad);
    }

    @Test
    void onlyARealChangeIsRecordedForTheNextCheckout() {
        Definitions defs = new Definitions();
        defs.put(inFile("a.yaml", web()));
        assertThat(defs.recorded()).containsExactly(WEB);
        defs.clearRecorded();
        defs.put(inFile("a.yaml", web()));
        assertThat(defs.recorded()).as("an equal definition again").isEmpty();
        defs.remove(new ObjectRef("Service", "shop", "other"));
        assertThat(defs.recorded()).as("nothing to forget").isEmpty();
        defs.remove(WEB);
        assertThat(defs.recorded()).containsExactly(WEB);
        assertThat(defs.defines(WEB)).isFalse();
        assertThat(defs.ownErrors(WEB)).isEmpty();
    }
}
