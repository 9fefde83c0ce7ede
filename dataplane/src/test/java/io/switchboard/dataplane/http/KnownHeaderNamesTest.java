package io.switchboard.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KnownHeaderNamesTest {

    private static CharSequence find(String line, int start, int length) {
        return KnownHeaderNames.find(line.getBytes(StandardCharsets.US_ASCII), start, length);
    }

    @Test
    void aNameInTheListIsFoundWithinALineAsOneInstance() {
        CharSequence a = find("User-Agent: curl", 0, 10);
        assertThat(a).hasToString("User-Agent");
        assertThat(find("xxUser-Agent: wget", 2, 10)).isSameAs(a);
        assertThat(find("Accept-Language: en", 0, 15)).hasToString("Accept-Language");
    }

    @Test
    void anotherCaseAPrefixOrAnUnknownNameIsNotFound() {
        assertThat(find("USER-AGENT: curl", 0, 10)).isNull();
        assertThat(find("User-Agen: curl", 0, 9)).isNull();
        assertThat(find("Accept-Encodinx: gzip", 0, 15)).isNull();
        assertThat(find("X-Something-Else-Entirely-Long-Name-Here-Beyond-Any-Known: 1", 0, 58)).isNull();
        assertThat(find(": empty", 0, 0)).isNull();
    }
}
