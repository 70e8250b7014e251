package dev.asof.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void aPortInUseIsNotFreeAndItsOwnerIsNamedWherePossible() throws Exception {
        try (ServerSocket held = new ServerSocket(0)) {
            int port = held.getLocalPort();

            assertThat(Ports.isFree(port)).isFalse();
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertThat(Ports.ownerOf(port))
                        .hasValueSatisfying(owner -> assertThat(owner)
                                .startsWith("pid " + ProcessHandle.current().pid() + " ("));
            }
        }
    }

    @Test
    void aFreePortIsFreeAndHasNoOwner() throws Exception {
        int port = Ports.freePort();

        assertThat(Ports.isFree(port)).isTrue();
        assertThat(Ports.ownerOf(port)).isEmpty();
    }
}
