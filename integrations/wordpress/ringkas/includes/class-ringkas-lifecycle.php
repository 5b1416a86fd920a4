<?php
/**
 * Activation and deactivation, on one site or across a network.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * What the plugin leaves behind is only its options and meta (uninstall.php removes those).
 */
final class Ringkas_Lifecycle {
	/**
	 * @param bool $network_wide Activated for every site of a network.
	 */
	public static function activate( $network_wide = false ): void {
		self::each_site( $network_wide, static function () {
			set_transient( 'ringkas_activated', 1, 300 );
		} );
	}

	/**
	 * Scheduled work stops with the plugin: no cron event calls a hook nobody listens to.
	 *
	 * @param bool $network_wide Deactivated for every site of a network.
	 */
	public static function deactivate( $network_wide = false ): void {
		self::each_site( $network_wide, array( self::class, 'clear_cron' ) );
	}

	public static function clear_cron(): void {
		wp_clear_scheduled_hook( Ringkas_Backfill::HOOK );
		wp_unschedule_hook( Ringkas_Publish::HOOK );
	}

	/**
	 * @param bool     $network_wide Every site, or this one.
	 * @param callable $work         Run on each.
	 */
	public static function each_site( bool $network_wide, callable $work ): void {
		if ( ! is_multisite() || ! $network_wide ) {
			$work();
			return;
		}
		foreach ( get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) as $site_id ) {
			switch_to_blog( $site_id );
			$work();
			restore_current_blog();
		}
	}
}
