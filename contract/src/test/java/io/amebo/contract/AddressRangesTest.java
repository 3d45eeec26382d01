package io.amebo.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.amebo.contract.AddressRanges.Kind;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressRangesTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "8.8.8.8, PUBLIC",
        "2606:4700:4700::1111, PUBLIC",
        "127.0.0.1, LOOPBACK",
        "127.255.1.2, LOOPBACK",
        "::1, LOOPBACK",
        "10.1.2.3, PRIVATE",
        "172.16.0.1, PRIVATE",
        "172.31.255.255, PRIVATE",
        "172.32.0.1, PUBLIC",
        "192.168.1.1, PRIVATE",
        "100.64.0.1, PRIVATE",
        "100.127.255.255, PRIVATE",
        "100.128.0.1, PUBLIC",
        "fd12:3456::1, PRIVATE",
        "0.0.0.0, RESERVED",
        "0.1.2.3, RESERVED",
        "169.254.169.254, RESERVED",
        "192.0.0.8, RESERVED",
        "192.0.2.1, RESERVED",
        "198.18.0.1, RESERVED",
        "198.19.255.255, RESERVED",
        "198.51.100.7, RESERVED",
        "203.0.113.9, RESERVED",
        "224.0.0.1, RESERVED",
        "240.0.0.1, RESERVED",
        "255.255.255.255, RESERVED",
        "::, RESERVED",
        "fe80::1, RESERVED",
        "ff02::1, RESERVED",
        "2001:db8::1, RESERVED",
        "2001:0::1, RESERVED",
        "100::1, RESERVED",
        "64:ff9b::808:808, RESERVED",
        "64:ff9b:1::1, RESERVED",
        // IPv6 forms that carry an IPv4 address are judged by it
        "::ffff:127.0.0.1, LOOPBACK",
        "::ffff:10.0.0.1, PRIVATE",
        "::ffff:8.8.8.8, PUBLIC",
        "::127.0.0.1, LOOPBACK",
        "::10.0.0.1, PRIVATE",
        "::0.0.0.5, RESERVED",
        "2002:7f00:1::1, LOOPBACK",
        "2002:a9fe:a9fe::1, RESERVED",
        "2002:0808:0808::1, PUBLIC"
    })
    void classifiesAddressesByTheSpecialPurposeRegistries(String address, Kind kind) throws Exception {
        assertThat(AddressRanges.kindOf(InetAddress.getByName(address))).isEqualTo(kind);
        assertThat(AddressRanges.kindOfLiteral(address)).contains(kind);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "localhost, LOOPBACK",
        "api.localhost, LOOPBACK",
        "[::1], LOOPBACK",
        "127.1, LOOPBACK",
        "2130706433, LOOPBACK",
        "[::ffff:169.254.169.254], RESERVED"
    })
    void readsLiteralsInEveryFormJavaTreatsAsNumeric(String host, Kind kind) {
        assertThat(AddressRanges.kindOfLiteral(host)).contains(kind);
    }

    @ParameterizedTest
    @CsvSource({"example.com", "users.myapp.com", "10.example.com"})
    void leavesHostNamesToResolution(String host) {
        assertThat(AddressRanges.kindOfLiteral(host)).isEmpty();
    }
}
