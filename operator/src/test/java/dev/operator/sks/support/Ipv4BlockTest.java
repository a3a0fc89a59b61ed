package dev.operator.sks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Ipv4BlockTest {
    @Test
    void hostsLeaveOutTheNetworkAndBroadcastAddresses() {
        Ipv4Block block = Ipv4Block.parse("198.51.100.0/24");
        assertThat(block.size()).isEqualTo(254);
        assertThat(block.host(0)).isEqualTo("198.51.100.1");
        assertThat(block.host(253)).isEqualTo("198.51.100.254");
        assertThat(block.indexOf("198.51.100.1")).contains(0L);
        assertThat(block.indexOf("198.51.100.0")).isEmpty();
        assertThat(block.indexOf("198.51.100.255")).isEmpty();
        assertThat(block.indexOf("198.51.101.1")).isEmpty();
        assertThat(block.indexOf("not an address")).isEmpty();
        assertThat(Ipv4Block.parse("203.0.113.7/32").host(0)).isEqualTo("203.0.113.7");
        assertThat(block).hasToString("198.51.100.0/24");
    }

    @Test
    void malformedBlocksAreRefusedWithWhatToWrite() {
        assertThatThrownBy(() -> Ipv4Block.parse("198.51.100.7/24")).hasMessageContaining("write 198.51.100.0/24");
        assertThatThrownBy(() -> Ipv4Block.parse("198.51.100.0")).hasMessageContaining("CIDR");
        assertThatThrownBy(() -> Ipv4Block.parse("198.51.300.0/24")).hasMessageContaining("IPv4 address");
        assertThatThrownBy(() -> Ipv4Block.parse("198.51.100.0/33")).hasMessageContaining("/33");
        assertThatThrownBy(() -> Ipv4Block.parse("2001:db8::/64")).isInstanceOf(IllegalArgumentException.class);
    }
}
