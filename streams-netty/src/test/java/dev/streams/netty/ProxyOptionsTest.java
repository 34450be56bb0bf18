package dev.streams.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link ProxyOptions}: the factories' checks, {@code parse} as curl's {@code --proxy} takes it, a masked password. */
class ProxyOptionsTest {

    @Test
    void factoriesKeepWhatTheyAreGiven() {
        ProxyOptions socks = ProxyOptions.socks5("proxy.example", 1080, "alice", "s3cret");
        assertThat(socks.type()).isEqualTo(ProxyOptions.Type.SOCKS5);
        assertThat(socks.host()).isEqualTo("proxy.example");
        assertThat(socks.port()).isEqualTo(1080);
        assertThat(socks.username()).isEqualTo("alice");
        assertThat(socks.password()).isEqualTo("s3cret");
        ProxyOptions http = ProxyOptions.http("::1", 3128);
        assertThat(http.type()).isEqualTo(ProxyOptions.Type.HTTP);
        assertThat(http.username()).isNull();
        assertThat(http.password()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "socks5://127.0.0.1:1080           | SOCKS5 | 127.0.0.1     | 1080 |       |",
            "socks5h://proxy.example:1080      | SOCKS5 | proxy.example | 1080 |       |",
            "SOCKS5://alice:s3cret@host:9050   | SOCKS5 | host          | 9050 | alice | s3cret",
            "http://proxy:3128                 | HTTP   | proxy         | 3128 |       |",
            "http://alice@proxy:3128/          | HTTP   | proxy         | 3128 | alice | ''",
            "http://a%40b:p%3Aw%40rd@proxy:8080 | HTTP  | proxy         | 8080 | a@b   | p:w@rd",
            "socks5://[::1]:1080               | SOCKS5 | ::1           | 1080 |       |"})
    void parseReadsCurlsProxySyntax(String text, ProxyOptions.Type type, String host, int port, String username,
                                    String password) {
        ProxyOptions proxy = ProxyOptions.parse(text);
        assertThat(proxy.type()).isEqualTo(type);
        assertThat(proxy.host()).isEqualTo(host);
        assertThat(proxy.port()).isEqualTo(port);
        assertThat(proxy.username()).isEqualTo(username);
        assertThat(proxy.password()).isEqualTo(password);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "socks4://host:1080       | must start with socks5://",
            "host:1080                | must start with socks5://",
            "https://host:443         | must start with socks5://",
            "socks5://host            | no port",
            "socks5://:1080           | no host",
            "http://host:3128/path    | no path",
            "http://host:3128?q       | no path",
            "socks5://host:0          | not in 1-65535",
            "http://a:b c@host:80     | bad proxy URI",
            "http://a:b@host:99999    | not in 1-65535: 99999"})
    void parseRefusesWhatIsNotAProxyAndSaysWhy(String text, String message) {
        assertThatThrownBy(() -> ProxyOptions.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> ProxyOptions.socks5(null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("host");
        assertThatThrownBy(() -> ProxyOptions.http("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyOptions.http("h", 65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("proxy port not in 1-65535: 65536");
        assertThatThrownBy(() -> ProxyOptions.socks5("h", 1, null, "p")).isInstanceOf(NullPointerException.class)
                .hasMessage("username");
        assertThatThrownBy(() -> ProxyOptions.socks5("h", 1, "x".repeat(256), "p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255 bytes: 256");
        assertThatThrownBy(() -> ProxyOptions.http("h", 1, "a:b", "p")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("':'");
        assertThatThrownBy(() -> ProxyOptions.parse(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertThat(ProxyOptions.socks5("127.0.0.1", 1080, "alice", "s3cret").toString())
                .isEqualTo("socks5://alice:***@127.0.0.1:1080");
        assertThat(ProxyOptions.http("::1", 3128).toString()).isEqualTo("http://[::1]:3128");
        assertThat(ConnectOptions.builder().proxy(ProxyOptions.parse("http://u:pw@h:1")).build().toString())
                .contains("proxy=http://u:***@h:1").doesNotContain("pw");
    }

    @Test
    void equalProxiesAreEqual() {
        assertThat(ProxyOptions.parse("socks5://u:p@h:1")).isEqualTo(ProxyOptions.socks5("h", 1, "u", "p"))
                .hasSameHashCodeAs(ProxyOptions.socks5("h", 1, "u", "p"))
                .isNotEqualTo(ProxyOptions.http("h", 1, "u", "p"));
    }
}
