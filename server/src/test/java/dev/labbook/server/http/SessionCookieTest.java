package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionCookieTest {
    @Test
    void findsTheSessionAmongOtherCookiesInOneOrSeveralHeaders() {
        assertThat(SessionCookie.credential(List.of("labbook_session=lbk_abc"))).contains("lbk_abc");
        assertThat(SessionCookie.credential(List.of("a=1; labbook_session=lbk_abc; b=2"))).contains("lbk_abc");
        assertThat(SessionCookie.credential(List.of("a=1", "labbook_session=lbk_abc"))).contains("lbk_abc");
        assertThat(SessionCookie.credential(List.of("labbook_session=\"lbk_abc\""))).contains("lbk_abc");
        // The first of two wins (browsers send the most specific path first).
        assertThat(SessionCookie.credential(List.of("labbook_session=lbk_1; labbook_session=lbk_2"))).contains("lbk_1");
    }

    @Test
    void findsNothingWithoutIt() {
        assertThat(SessionCookie.credential(null)).isEmpty();
        assertThat(SessionCookie.credential(List.of())).isEmpty();
        assertThat(SessionCookie.credential(List.of("labbook_session="))).isEmpty();
        assertThat(SessionCookie.credential(List.of("my_labbook_session=lbk_x; labbook_sessionx=lbk_y"))).isEmpty();
        assertThat(SessionCookie.credential(List.of("labbook_session"))).isEmpty();
    }

    @Test
    void writesTheSessionAndItsRemoval() {
        assertThat(SessionCookie.set("lbk_abc", Duration.ofSeconds(90), false))
                .isEqualTo("labbook_session=lbk_abc; Path=/; Max-Age=90; HttpOnly; SameSite=Strict");
        assertThat(SessionCookie.set("a.b-c_d", Duration.ofMillis(10), true))
                .isEqualTo("labbook_session=a.b-c_d; Path=/; Max-Age=1; HttpOnly; SameSite=Strict; Secure");
        assertThat(SessionCookie.clear(false)).isEqualTo("labbook_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        assertThatThrownBy(() -> SessionCookie.set("a;b", Duration.ofSeconds(1), false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyCookieOctetsAreStorable() {
        assertThat(SessionCookie.storable("lbk_0aZ9")).isTrue();
        assertThat(SessionCookie.storable("eyJ.eyJ-_.sig+/=")).isTrue();
        for (String bad : new String[] {"", "a b", "a;b", "a,b", "a\"b", "a\\b", "a\tb", "ä"}) {
            assertThat(SessionCookie.storable(bad)).as(bad).isFalse();
        }
    }
}
