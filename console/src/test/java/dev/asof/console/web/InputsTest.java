package dev.asof.console.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class InputsTest {

    @Test
    void readsTheTimesPeopleType() {
        Instant expected = Instant.parse("2026-11-26T14:30:05Z");
        assertThat(Inputs.instant("T", "2026-11-26T14:30:05Z")).isEqualTo(expected);
        assertThat(Inputs.instant("T", " 2026-11-26 14:30:05 ")).isEqualTo(expected);
        assertThat(Inputs.instant("T", "2026-11-26T15:30:05+01:00")).isEqualTo(expected);
        assertThat(Inputs.instant("T", "2026-11-26T14:30:05.123456Z")).isEqualTo(expected.plusMillis(123));
        assertThat(Inputs.instant("T", "2026-11-26T14:30")).isEqualTo(Instant.parse("2026-11-26T14:30:00Z"));
        assertThat(Inputs.instant("T", "")).isNull();
        assertThat(Inputs.instant("T", null)).isNull();
    }

    @Test
    void refusesWhatIsNoTimeNamingTheField() {
        assertThatThrownBy(() -> Inputs.instant("K", "yesterday")).hasMessageStartingWith("K: not a time");
        assertThatThrownBy(() -> Inputs.instant("K", "2026-13-01T00:00:00Z")).hasMessageStartingWith("K: not a time");
        assertThatThrownBy(() -> Inputs.instant("K", "9".repeat(5000))).hasMessage("K: too long for a time");
        assertThatThrownBy(() -> Inputs.instant("T", "+999999999-12-31T23:59:59Z"))
                .hasMessage("T: must be within the years 0001 to 9999");
        assertThatThrownBy(() -> Inputs.instant("T", "-0001-12-31T23:59:59Z"))
                .hasMessage("T: must be within the years 0001 to 9999");
    }

    @Test
    void customerIdsFollowTheServicesGrammar() {
        assertThat(Inputs.customerId("cust_88291023")).isTrue();
        assertThat(Inputs.customerId("maria@example.com")).isTrue();
        assertThat(Inputs.customerId("bad id")).isFalse();
        assertThat(Inputs.customerId("../etc")).isFalse();
        assertThat(Inputs.customerId("a".repeat(129))).isFalse();
    }

    @Test
    void csvCellsAreQuotedAndNeverRunAsFormulas() {
        assertThat(CustomerController.cells("a", null, "x,y", "say \"hi\"", "=HYPERLINK(\"http://x\")", "-1", "@a"))
                .isEqualTo("a,,\"x,y\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"http://x\"\")\",'-1,'@a\r\n");
    }
}
