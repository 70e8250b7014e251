package dev.asof.console.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asof.console.ConsoleProperties;
import dev.asof.console.ConsolePropertiesFixture;
import java.net.URI;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;

/** An OpenID Connect user gets exactly the console roles its IdP names in the configured claim. */
class OidcRolesTest {

    @Test
    void aListClaimGivesTheRolesItNamesAndNothingElse() {
        assertThat(map("roles", Map.of("roles", List.of("auditor", "admin", "openid"))))
                .containsExactly("ROLE_AUDITOR");
    }

    @Test
    void aSpaceOrCommaSeparatedClaimWorksInAnyCase() {
        assertThat(map("groups", Map.of("groups", "Privacy-Officer, auditor")))
                .containsExactlyInAnyOrder("ROLE_AUDITOR", "ROLE_PRIVACY_OFFICER");
    }

    @Test
    void noClaimNoRole() {
        assertThat(map("roles", Map.of("email", "someone@example.com"))).isEmpty();
        assertThat(map("roles", Map.of("roles", 42))).isEmpty();
    }

    private static List<String> map(String claim, Map<String, Object> claims) {
        ConsoleProperties properties =
                ConsolePropertiesFixture.properties(URI.create("http://localhost:8082"), 20_000, 16, 4, claim, 0);
        java.util.Map<String, Object> all = new java.util.HashMap<>(claims);
        all.put("sub", "user-1");
        OidcIdToken token =
                new OidcIdToken("token", Instant.now(), Instant.now().plusSeconds(60), all);
        Collection<? extends GrantedAuthority> mapped =
                ConsoleSecurity.rolesFromClaim(properties).mapAuthorities(List.of(new OidcUserAuthority(token)));
        return mapped.stream().map(GrantedAuthority::getAuthority).toList();
    }
}
