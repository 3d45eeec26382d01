package io.amebo.registry.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressRulesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:8080/hook",
                "http://localhost/hook",
                "http://[::1]/hook",
                "http://10.0.0.1/hook",
                "http://100.64.1.1/hook",
                "http://[::ffff:192.168.1.1]/hook",
                "http://2130706433/hook"
            })
    void refusesLoopbackAndPrivateLiteralsUnlessAllowed(String url) {
        assertThat(AddressRules.checkLiteralHost(url, false)).isPresent();
        assertThat(AddressRules.checkLiteralHost(url, true)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://169.254.169.254/latest/meta-data",
                "http://0.0.0.0/",
                "http://192.0.0.8/",
                "http://198.18.0.1/",
                "http://[64:ff9b::a9fe:a9fe]/",
                "http://[fe80::1]/",
                "http://[::ffff:169.254.169.254]/"
            })
    void refusesReservedLiteralsEvenWherePrivateOnesAreAllowed(String url) {
        assertThat(AddressRules.checkLiteralHost(url, true))
                .hasValueSatisfying(reason -> assertThat(reason).contains("reserved"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://users.myapp.com/hook", "http://8.8.8.8/hook", "https://10.example.com/"})
    void acceptsPublicAddressesAndNamesWithoutLookingThemUp(String url) {
        assertThat(AddressRules.checkLiteralHost(url, false)).isEmpty();
    }
}
