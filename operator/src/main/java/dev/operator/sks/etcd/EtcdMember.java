package dev.operator.sks.etcd;

import java.util.List;

/**
 * One entry of etcd's member list.
 *
 * @param id         etcd's member ID, a uint64 kept as the decimal string the JSON gateway uses
 * @param name       empty until the member has started and published its name
 * @param peerUrls   where the other members reach it; what the operator matches members by
 * @param clientUrls empty until the member has started
 * @param learner    a non-voting member, catching up before it may be promoted
 */
public record EtcdMember(String id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {

    public EtcdMember {
        name = name == null ? "" : name;
        peerUrls = peerUrls == null ? List.of() : List.copyOf(peerUrls);
        clientUrls = clientUrls == null ? List.of() : List.copyOf(clientUrls);
    }

    /** etcd lists a member added with {@code member add} without a name until its process has joined. */
    public boolean started() {
        return !name.isEmpty();
    }
}
