'use strict';

// The platform a native binary is built for, as the per-platform packages under npm/ name
// it: `linux-x64-gnu`, `darwin-arm64`...

const PACKAGE_PREFIX = 'sio-rs-';

let suffix;
/** This process's platform; read once, since telling glibc from musl takes a report. */
function platformSuffix() {
  if (suffix) return suffix;
  const { platform, arch } = process;
  if (platform !== 'linux') return (suffix = `${platform}-${arch}`);
  const glibc = process.report?.getReport()?.header?.glibcVersionRuntime;
  return (suffix = `linux-${arch}-${glibc ? 'gnu' : 'musl'}`);
}

/** The file name of the addon for this platform: `sio-rs.linux-x64-gnu.node`. */
function binaryName() {
  return `sio-rs.${platformSuffix()}.node`;
}

/** The npm package holding the prebuilt addon for this platform. */
function binaryPackage() {
  return `${PACKAGE_PREFIX}${platformSuffix()}`;
}

/** The platforms that the binary packages among `dependencies` (names) are built for. */
function platformsOf(dependencies) {
  return dependencies
    .filter((name) => name.startsWith(PACKAGE_PREFIX))
    .map((name) => name.slice(PACKAGE_PREFIX.length));
}

module.exports = { platformSuffix, binaryName, binaryPackage, platformsOf };
