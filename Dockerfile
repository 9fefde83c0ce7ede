# Switchboard image: build with Maven, run on a JRE. No image registry is reachable from the machines
# this project is developed on, so the image build itself is untested here; everything it runs (the
# jar, deploy/docker/entrypoint.sh, the DaemonSet's flags) is tested without it.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -q -DskipTests -pl server -am package

FROM eclipse-temurin:25-jre
# iproute2: Switchboard makes Service addresses local with `ip route ... table local proto 73`.
RUN apt-get update && apt-get install -y --no-install-recommends iproute2 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/server/target/switchboard.jar /opt/switchboard/switchboard.jar
COPY build-bin/java.sh /opt/switchboard/java.sh
COPY deploy/docker/entrypoint.sh /usr/local/bin/switchboard
# Makes the start cache beside the jar (build-bin/java.sh: an AOT cache recorded from a training run on
# 127.0.0.1), so that every pod starts from it.
RUN /usr/local/bin/switchboard version
ENTRYPOINT ["/usr/local/bin/switchboard"]
CMD ["run", "--kubernetes"]
