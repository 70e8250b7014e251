package dev.asof.support.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the body budget remembers of callers: only those holding part of their share now. One entry per caller ever
 * seen, kept for good, grew without bound with many token callers.
 */
class BodyBudgetCallersTest {

    private final BodyBudgetFilter filter = new BodyBudgetFilter(
            new HttpLimitsProperties(
                    DataSize.ofMegabytes(2),
                    2000,
                    Duration.ofSeconds(1),
                    DataSize.ofMegabytes(64),
                    Duration.ofMillis(10),
                    16,
                    DataSize.ofMegabytes(3),
                    Map.of(),
                    DataSize.ofKilobytes(4),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(30)),
            JsonMapper.builder().build());

    @AfterEach
    void signOut() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void aThousandCallersComeAndGoAndNoneIsRemembered() throws Exception {
        AtomicInteger holdingDuring = new AtomicInteger();
        FilterChain handler = (request, response) -> holdingDuring.set(filter.callersHolding());
        for (int i = 0; i < 1_000; i++) {
            MockHttpServletResponse response = post("caller-" + i, 1_000_000, handler);
            assertThat(response.getStatus()).as("caller %d", i).isEqualTo(200);
            assertThat(holdingDuring.get())
                    .as("while caller %d's body is handled", i)
                    .isEqualTo(1);
        }
        assertThat(filter.callersHolding()).isZero();
    }

    @Test
    void aCallerAtItsShareIsRefusedAndTakenAgainOnceItsBodiesAreAnswered() throws Exception {
        // 2 MB held by an outer request, then 1 MB more: 3 MB, the caller's share; a third body does not fit
        List<Integer> inner = new java.util.ArrayList<>();
        FilterChain third = (request, response) -> {
            inner.add(post("busy-caller", 1_000, (r, s) -> {}).getStatus());
            inner.add(post("other-caller", 1_000, (r, s) -> {}).getStatus());
        };
        FilterChain second = (request, response) ->
                inner.add(post("busy-caller", 1_048_576, third).getStatus());
        MockHttpServletResponse outer = post("busy-caller", 2_097_152, second);

        assertThat(outer.getStatus()).isEqualTo(200);
        assertThat(inner).containsExactly(503, 200, 200);
        assertThat(filter.callersHolding()).as("all answered").isZero();
        assertThat(post("busy-caller", 2_097_152, (r, s) -> {}).getStatus()).isEqualTo(200);
    }

    private MockHttpServletResponse post(String caller, int length, FilterChain chain) {
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                caller, null, List.of(new SimpleGrantedAuthority("SCOPE_events:write"))));
        var before = SecurityContextHolder.getContext();
        SecurityContextHolder.setContext(context);
        try {
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/events");
            request.setContent(new byte[length]);
            request.setContentType("application/json");
            MockHttpServletResponse response = new MockHttpServletResponse();
            filter.doFilter(request, response, chain);
            return response;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            SecurityContextHolder.setContext(before);
        }
    }
}
