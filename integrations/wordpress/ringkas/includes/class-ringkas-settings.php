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
		?>
		<div class="wrap">
			<h1><?php esc_html_e( 'Ringkas', 'ringkas' ); ?></h1>
			<form method="post" action="options.php">
				<?php settings_fields( self::PAGE ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="ringkas-url"><?php esc_html_e( 'Service address', 'ringkas' ); ?></label></th>
						<td><input type="url" class="regular-text" id="ringkas-url" name="<?php echo esc_attr( $name ); ?>[url]" value="<?php echo esc_attr( $settings['url'] ); ?>" placeholder="https://ringkas.example.id">
						<p class="description"><?php esc_html_e( 'Where the Ringkas service answers, as the WordPress server reaches it.', 'ringkas' ); ?></p></td>
					</tr>
					<tr>
						<th scope="row"><label for="ringkas-key"><?php esc_html_e( 'API key', 'ringkas' ); ?></label></th>
						<td><input type="password" class="regular-text" id="ringkas-key" name="<?php echo esc_attr( $name ); ?>[api_key]" value="" autocomplete="off" placeholder="<?php echo esc_attr( '' !== $settings['api_key'] ? __( 'A key is stored; leave empty to keep it', 'ringkas' ) : '' ); ?>">
						<p class="description"><?php esc_html_e( 'Kept on this server; editors\' browsers never receive it.', 'ringkas' ); ?></p></td>
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
							<label><input type="checkbox" name="<?php echo esc_attr( $name ); ?>[on_publish]" value="1" <?php checked( $settings['on_publish'] ); ?>> <?php esc_html_e( 'Summarize posts when they are published (in the background)', 'ringkas' ); ?></label>
						</td>
					</tr>
				</table>
				<?php submit_button( __( 'Save settings', 'ringkas' ) ); ?>
			</form>
			<h2><?php esc_html_e( 'Connection', 'ringkas' ); ?></h2>
			<p><button type="button" class="button" id="ringkas-test"><?php esc_html_e( 'Test connection', 'ringkas' ); ?></button></p>
			<div id="ringkas-test-result" role="status" aria-live="polite"></div>
		</div>
		<?php
	}
}
