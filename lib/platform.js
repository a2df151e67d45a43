'use strict';

// The platform a native binary is built for, as the per-platform packages under npm/ name
// it: `linux-x64-gnu`, `darwin-arm64`...

function platformSuffix() {
  const { platform, arch } = process;
  if (platform !== 'linux') return `${platform}-${arch}`;
  const glibc = process.report?.getReport()?.header?.glibcVersionRuntime;
  return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
}

/** The file name of the addon for this platform: `sio-rs.linux-x64-gnu.node`. */
function binaryName(suffix = platformSuffix()) {
  return `sio-rs.${suffix}.node`;
}

/** The npm package holding the prebuilt addon for this platform. */
function binaryPackage(suffix = platformSuffix()) {
  return `sio-rs-${suffix}`;
}

module.exports = { platformSuffix, binaryName, binaryPackage };
