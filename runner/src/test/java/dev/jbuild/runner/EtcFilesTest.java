package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EtcFilesTest {
  @Test
  void resolvConf_privateNetwork_dropsLoopbackServersKeepsOthers() {
    String host = "# generated\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.com\n"
        + "options edns0\nnameserver ::1\n";
    assertEquals("# generated\nnameserver 10.0.0.2\nsearch example.com\noptions edns0\n",
        EtcFiles.resolvConf(host, NetworkMode.NONE));
  }

  @Test
  void resolvConf_privateNetworkOnlyLoopback_fallsBackToPublicDns() {
    assertEquals("search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n",
        EtcFiles.resolvConf("nameserver 127.0.0.1\nsearch lan\n", NetworkMode.NONE));
    assertEquals("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", EtcFiles.resolvConf("", NetworkMode.NONE));
  }

  @Test
  void resolvConf_hostNetwork_isUnchanged() {
    String host = "nameserver 127.0.0.53\noptions trust-ad\n";
    assertEquals(host, EtcFiles.resolvConf(host, NetworkMode.HOST));
  }

  @Test
  void hostsAndHostname_matchBuildkit() {
    assertEquals("127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        EtcFiles.hosts("buildkitsandbox"));
    assertEquals("h\n", EtcFiles.hostname("h"));
  }

  @Test
  void nameservers_parsesWhitespaceAndIgnoresComments() {
    assertEquals(java.util.List.of("1.1.1.1", "9.9.9.9"),
        EtcFiles.nameservers("  nameserver\t1.1.1.1 \n#nameserver 2.2.2.2\nnameserver 9.9.9.9"));
  }
}
