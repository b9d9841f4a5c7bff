# Sourced by build-test-image.sh and verify-image.sh: layout.env, and where each partition
# starts and how long it is, in sectors (each starts where the one before it ends).
# shellcheck source=layout.env
. "$(dirname "${BASH_SOURCE[0]}")/layout.env"

sectors_per_mib=$((1048576 / SECTOR))
boot_start=$((BOOT_START_MIB * sectors_per_mib))
boot_size=$((BOOT_SIZE_MIB * sectors_per_mib))
rootfs_size=$((ROOTFS_SIZE_MIB * sectors_per_mib))
a_start=$((boot_start + boot_size))
b_start=$((a_start + rootfs_size))
data_start=$((b_start + rootfs_size))
data_size=$((DATA_SIZE_MIB * sectors_per_mib))
total_mib=$((BOOT_START_MIB + BOOT_SIZE_MIB + 2 * ROOTFS_SIZE_MIB + DATA_SIZE_MIB))
