<?php
/**
 * Settings → Ringkas: the service, its key (kept on the server, never shown back), the defaults.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings page.
 */
final class Ringkas_Settings {
	const PAGE = 'ringkas';

	public static function menu(): void {
		add_options_page( __( 'Ringkas', 'ringkas' ), __( 'Ringkas', 'ringkas' ), 'manage_options', self::PAGE, array( self::class, 'render' ) );
	}

	public static function register(): void {
		register_setting(
			self::PAGE,
			Ringkas_Options::NAME,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( 'Ringkas_Options', 'sanitize' ),
				'show_in_rest'      => false, // The key must never leave the server.
			)
		);
	}

	public static function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$settings = Ringkas_Options::get();
		$name     = Ringkas_Options::NAME;
		wp_enqueue_script( 'ringkas-settings', plugins_url( 'assets/settings.js', RINGKAS_FILE ), array( 'wp-api-fetch' ), RINGKAS_VERSION, true );
		wp_localize_script(
			'ringkas-settings',
			'ringkasSettings',
			array(
				'working' => __( 'Testing…', 'ringkas' ),
				'ok'      => __( 'Connected. Models:', 'ringkas' ),
				'demo'    => __( 'Demo models: their output is meaningless.', 'ringkas' ),
				'jobs'    => __( 'Archive jobs are on.', 'ringkas' ),
				'noJobs'  => __( 'Archive jobs are off on this service.', 'ringkas' ),
			)
		);
		$lengths = array(
			'short'  => __( 'Short', 'ringkas' ),
			'medium' => __( 'Medium', 'ringkas' ),
			'long'   => __( 'Long', 'ringkas' ),
		);
		$url_fixed = null !== Ringkas_Options::constant( 'RINGKAS_SERVICE_URL' ) || ( is_multisite() && ! current_user_can( 'manage_network_options' ) );
		$key_fixed = null !== Ringkas_Options::constant( 'RINGKAS_API_KEY' );
		$chosen    = Ringkas_Options::get()['post_types'];
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'Ringkas', 'ringkas' ); ?></h1>
			<form method="post" action="options.php">
				<?php settings_fields( self::PAGE ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="ringkas-url"><?php esc_html_e( 'Service address', 'ringkas' ); ?></label></th>
						<td><input type="url" class="regular-text" id="ringkas-url" name="<?php echo esc_attr( $name ); ?>[url]" value="<?php echo esc_attr( $settings['url'] ); ?>" placeholder="https://ringkas.example.id" <?php disabled( $url_fixed ); ?>>
						<p class="description"><?php esc_html_e( 'Where the Ringkas service answers, as the WordPress server reaches it.', 'ringkas' ); ?>
						<?php if ( null !== Ringkas_Options::constant( 'RINGKAS_SERVICE_URL' ) ) : ?>
							<?php esc_html_e( 'Set in wp-config.php (RINGKAS_SERVICE_URL).', 'ringkas' ); ?>
						<?php elseif ( $url_fixed ) : ?>
							<?php esc_html_e( 'On a network, only a network administrator may change it.', 'ringkas' ); ?>
						<?php endif; ?></p></td>
					</tr>
					<tr>
						<th scope="row"><label for="ringkas-key"><?php esc_html_e( 'API key', 'ringkas' ); ?></label></th>
						<td>
						<?php if ( $key_fixed ) : ?>
							<p><?php esc_html_e( 'Set in wp-config.php (RINGKAS_API_KEY).', 'ringkas' ); ?></p>
						<?php else : ?>
							<input type="password" class="regular-text" id="ringkas-key" name="<?php echo esc_attr( $name ); ?>[api_key]" value="" autocomplete="off" placeholder="<?php echo esc_attr( '' !== $settings['api_key'] ? __( 'A key is stored; leave empty to keep it', 'ringkas' ) : '' ); ?>">
							<?php if ( '' !== $settings['api_key'] ) : ?>
								<br><label><input type="checkbox" id="ringkas-remove-key" name="<?php echo esc_attr( $name ); ?>[remove_key]" value="1"> <?php esc_html_e( 'Remove the stored key', 'ringkas' ); ?></label>
							<?php endif; ?>
							<p class="description"><?php esc_html_e( 'Kept on this server; editors\' browsers never receive it. A new key is tried before it is saved. Hosts may set RINGKAS_API_KEY in wp-config.php instead.', 'ringkas' ); ?></p>
						<?php endif; ?>
						</td>
					</tr>
					<tr>
						<th scope="row"><?php esc_html_e( 'Post types', 'ringkas' ); ?></th>
						<td>
						<?php foreach ( Ringkas_Options::choosable_types() as $type => $label ) : ?>
							<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[post_types][]" value="<?php echo esc_attr( $type ); ?>" <?php checked( in_array( $type, $chosen, true ) ); ?>> <?php echo esc_html( $label ); ?> <code><?php echo esc_html( $type ); ?></code></label><br>
						<?php endforeach; ?>
						<p class="description"><?php esc_html_e( 'Where the panel, the Summary column, the bulk action, summarize on publish and the archive job work.', 'ringkas' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="ringkas-length"><?php esc_html_e( 'Summary length', 'ringkas' ); ?></label></th>
						<td><select id="ringkas-length" name="<?php echo esc_attr( $name ); ?>[length]">
						<?php foreach ( $lengths as $value => $label ) : ?>
							<option value="<?php echo esc_attr( $value ); ?>" <?php selected( $settings['length'], $value ); ?>><?php echo esc_html( $label ); ?></option>
						<?php endforeach; ?>
						</select></td>
					</tr>
					<tr>
						<th scope="row"><?php esc_html_e( 'Options', 'ringkas' ); ?></th>
						<td>
							<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[translate]" value="1" <?php checked( $settings['translate'] ); ?>> <?php esc_html_e( 'Also translate the summary into English', 'ringkas' ); ?></label><br>
							<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[on_publish]" value="1" <?php checked( $settings['on_publish'] ); ?>> <?php esc_html_e( 'Summarize posts when they are published (in the background)', 'ringkas' ); ?></label><br>
							<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[show_above]" value="1" <?php checked( $settings['show_above'] ); ?>> <?php esc_html_e( 'Show the summary (and its translation) above the story on single posts', 'ringkas' ); ?></label>
						</td>
					</tr>
				</table>
				<?php submit_button( __( 'Save settings', 'ringkas' ) ); ?>
			</form>
			<h2><?php esc_html_e( 'Connection', 'ringkas' ); ?></h2>
			<p><?php esc_html_e( 'Tests the address and key as typed above, before you save them.', 'ringkas' ); ?></p>
			<p><button type="button" class="button" id="ringkas-test"><?php esc_html_e( 'Test connection', 'ringkas' ); ?></button></p>
			<div id="ringkas-test-result" role="status" aria-live="polite"></div>
		</div>
		<?php
	}

	/**
	 * "Settings" on the Plugins row.
	 *
	 * @param array $links The row's links.
	 */
	public static function action_links( $links ): array {
		array_unshift( $links, sprintf( '<a href="%s">%s</a>', esc_url( admin_url( 'options-general.php?page=' . self::PAGE ) ), esc_html__( 'Settings', 'ringkas' ) ) );
		return $links;
	}

	/** After activation, once: where to start. */
	public static function activation_notice(): void {
		if ( ! current_user_can( 'manage_options' ) || ! get_transient( 'ringkas_activated' ) ) {
			return;
		}
		delete_transient( 'ringkas_activated' );
		printf(
			'<div class="notice notice-success is-dismissible ringkas-activated"><p>%s <a href="%s">%s</a></p></div>',
			esc_html__( 'Ringkas is active. Enter your Ringkas service\'s address and key to start.', 'ringkas' ),
			esc_url( admin_url( 'options-general.php?page=' . self::PAGE ) ),
			esc_html__( 'Open the Ringkas settings', 'ringkas' )
		);
	}
}
